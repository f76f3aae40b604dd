package jbox.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** Sizes, cpus and the checks on limits, as the flags give them. */
class CgroupResourcesTest {
    @Test
    void sizesTakeBinaryUnitsInEitherCase() throws JboxException {
        assertEquals(536870912L, CgroupResources.parseBytes("512m"));
        assertEquals(536870912L, CgroupResources.parseBytes("512M"));
        assertEquals(536870912L, CgroupResources.parseBytes("512mb"));
        assertEquals(536870912L, CgroupResources.parseBytes("512MiB"));
        assertEquals(1024L, CgroupResources.parseBytes("1k"));
        assertEquals(1536L, CgroupResources.parseBytes("1.5k"));
        assertEquals(3L << 30, CgroupResources.parseBytes("3g"));
        assertEquals(1L << 40, CgroupResources.parseBytes("1t"));
        assertEquals(100L, CgroupResources.parseBytes("100"));
        assertEquals(100L, CgroupResources.parseBytes("100b"));
    }

    @Test
    void badSizesSayWhatWasExpected() {
        for (String bad : new String[] {"", "m", "12x", "-5m", "1bb", "5 m", "1e3", "0x10"}) {
            JboxException e = assertThrows(JboxException.class, () -> CgroupResources.parseBytes(bad), bad);
            assertEquals("invalid size \"" + bad + "\": expected a number with an optional unit b, k, m or g (e.g. 512m)",
                    e.getMessage());
        }
        JboxException e = assertThrows(JboxException.class, () -> CgroupResources.parseBytes("99999999999g"));
        assertEquals("invalid size \"99999999999g\": too large", e.getMessage());
    }

    @Test
    void swapTakesMinusOneForUnlimited() throws JboxException {
        assertEquals(-1L, CgroupResources.parseBytesOrUnlimited("-1"));
        assertEquals(1L << 30, CgroupResources.parseBytesOrUnlimited("1g"));
        assertThrows(JboxException.class, () -> CgroupResources.parseBytesOrUnlimited("-2"));
    }

    @Test
    void cpusBecomeQuotaOverTheDefaultPeriod() throws JboxException {
        CgroupResources r = CgroupResources.fromCpus(1.5);
        assertEquals(150000L, r.cpuQuotaMicros());
        assertEquals(100000L, r.cpuPeriodMicros());
        assertEquals(50000L, CgroupResources.fromCpus(0.5).cpuQuotaMicros());
        assertEquals(1000L, CgroupResources.fromCpus(0.01).cpuQuotaMicros());
        assertEquals(400000L, CgroupResources.fromCpus(4).cpuQuotaMicros());
    }

    @Test
    void withCpusKeepsTheOtherLimits() throws JboxException {
        CgroupResources r = new CgroupResources(64L << 20, null, 10L, null, null, 512L).withCpus(2);
        assertEquals(new CgroupResources(64L << 20, null, 10L, 200000L, 100000L, 512L), r);
    }

    @Test
    void tooFewCpusAreRefused() {
        assertEquals("--cpus 0.005 is below the minimum of 0.01",
                assertThrows(JboxException.class, () -> CgroupResources.fromCpus(0.005)).getMessage());
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertTrue(assertThrows(JboxException.class, () -> CgroupResources.fromCpus(bad)).getMessage()
                    .endsWith("expected a positive number of cpus such as 1.5"));
        }
    }

    @Test
    void emptyMeansNoLimit() throws JboxException {
        assertTrue(CgroupResources.none().isEmpty());
        assertTrue(!CgroupResources.fromCpus(1).isEmpty());
    }

    @Test
    void limitsNoKernelTakesAreRefusedBeforeAnythingIsCreated() {
        assertEquals("--memory 4096 is below the minimum of 6m", message(new CgroupResources(4096L, null, null, null, null, null)));
        assertEquals("--memory-swap needs --memory as well (it is memory plus swap)",
                message(new CgroupResources(null, 1L << 30, null, null, null, null)));
        assertEquals("--memory-swap 104857600 is smaller than --memory 209715200 (it is memory plus swap; -1 for unlimited swap)",
                message(new CgroupResources(200L << 20, 100L << 20, null, null, null, null)));
        assertEquals("--cpu-shares 1 is outside 2..262144", message(new CgroupResources(null, null, null, null, null, 1L)));
        assertEquals("--cpu-shares 262145 is outside 2..262144",
                message(new CgroupResources(null, null, null, null, null, 262145L)));
        assertEquals("cpu quota 999 µs is below the kernel's minimum of 1000",
                message(new CgroupResources(null, null, null, 999L, 100000L, null)));
    }

    @Test
    void validLimitsPass() throws JboxException {
        new CgroupResources(64L << 20, -1L, 10L, 50000L, 100000L, 512L).validate();
        new CgroupResources(64L << 20, 64L << 20, -1L, null, null, 2L).validate();
    }

    private static String message(CgroupResources r) {
        return assertThrows(JboxException.class, r::validate).getMessage();
    }
}
