package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** --detach-keys in docker's format (moby/term ToBytes). */
class DetachKeysTest {
    @Test
    void dockersDefaultIsCtrlPThenCtrlQ() throws JboxException {
        assertArrayEquals(new byte[] {16, 17}, DetachKeys.parse(DetachKeys.DEFAULT));
        assertEquals("1011", DetachKeys.hex(DetachKeys.parse(DetachKeys.DEFAULT)));
    }

    @Test
    void controlKeysLettersAndDel() throws JboxException {
        assertArrayEquals(new byte[] {1}, DetachKeys.parse("ctrl-a"));
        assertArrayEquals(new byte[] {0, 27, 28, 29, 30, 31}, DetachKeys.parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_"));
        assertArrayEquals(new byte[] {24, 'x', 'q', 127}, DetachKeys.parse("ctrl-x,x,q,DEL"));
        assertEquals("1878", DetachKeys.hex(DetachKeys.parse("ctrl-x,x")));
    }

    @Test
    void unknownKeysAreRefusedWithTheKeyNamed() {
        for (String bad : new String[] {"ctrl-P", "ctrl-pp", "ctrl-1", "esc", "", "a,,b", "é", "ctrl-"}) {
            JboxException e = assertThrows(JboxException.class, () -> DetachKeys.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid --detach-keys " + bad + ": "), e.getMessage());
        }
        assertThrows(JboxException.class, () -> DetachKeys.parse("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q"));
    }
}
