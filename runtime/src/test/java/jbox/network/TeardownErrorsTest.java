package jbox.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Clean-up judges ip's complaints: "already gone" is success, anything else is an error. */
class TeardownErrorsTest {
    @Test
    void successIsSuccess() {
        assertNull(ContainerNetwork.unexpectedError(new Command.Result(0, "")));
    }

    @Test
    void piecesThatAreAlreadyGoneAreFine() {
        String err = "Cannot find device \"vjb01234567\"\nCommand failed -:1\n"
                + "Cannot remove namespace file \"/var/run/netns/jbox-0123456789ab\": No such file or directory\nCommand failed -:2\n";
        assertNull(ContainerNetwork.unexpectedError(new Command.Result(1, err)));
    }

    @Test
    void anyOtherComplaintIsReported() {
        String err = "Cannot find device \"vjb01234567\"\nCommand failed -:1\nRTNETLINK answers: Operation not permitted\nCommand failed -:2\n";
        assertEquals("RTNETLINK answers: Operation not permitted", ContainerNetwork.unexpectedError(new Command.Result(1, err)));
    }
}
