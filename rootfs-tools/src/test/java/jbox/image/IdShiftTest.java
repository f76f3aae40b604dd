// Container-to-host id arithmetic and its range errors.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IdShiftTest {

    @Test
    void shiftsIntoTheHostRange() throws Exception {
        IdShift shift = new IdShift(100000, 200000, 65536);

        assertEquals(100000, shift.hostUid(0));
        assertEquals(165535, shift.hostUid(65535));
        assertEquals(201000, shift.hostGid(1000));
    }

    @Test
    void refusesIdsOutsideTheMappedRange() {
        IdShift shift = new IdShift(100000, 100000, 65536);

        ImageException uid = assertThrows(ImageException.class, () -> shift.hostUid(70000));
        ImageException gid = assertThrows(ImageException.class, () -> shift.hostGid(-1));

        assertEquals("uid 70000 is outside the mapped range 0-65535", uid.getMessage());
        assertEquals("gid -1 is outside the mapped range 0-65535", gid.getMessage());
    }

    @Test
    void noneIsTheIdentityOverAllIds() throws Exception {
        assertEquals(0, IdShift.NONE.hostUid(0));
        assertEquals(4294967295L, IdShift.NONE.hostGid(4294967295L));
    }

    @Test
    void rejectsMappingsPastTheIdSpace() {
        assertThrows(IllegalArgumentException.class, () -> new IdShift(1, 0, 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> new IdShift(0, 0, 0));
    }
}
