package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import jbox.image.Containerfile.Instruction;
import jbox.image.Containerfile.Kind;
import org.junit.jupiter.api.Test;

class ContainerfileTest {

    private static List<Instruction> parse(String text) throws ImageException {
        return Containerfile.parse(text).instructions();
    }

    private static Instruction second(String line) throws ImageException {
        return parse("FROM busybox\n" + line + "\n").get(1);
    }

    private static String error(String text) {
        return assertThrows(ImageException.class, () -> Containerfile.parse(text)).getMessage();
    }

    @Test
    void fromNamesTheImageOnItsLine() throws Exception {
        List<Instruction> all = parse("\n# base\nfrom busybox:1.36\n");
        assertEquals(1, all.size());
        assertEquals(new Instruction(3, Kind.FROM, List.of("busybox:1.36"), "FROM busybox:1.36"), all.get(0));
    }

    @Test
    void runShellFormIsBinShDashC() throws Exception {
        Instruction i = second("RUN echo hi > /f && ls");
        assertEquals(Kind.RUN, i.kind());
        assertEquals(List.of("/bin/sh", "-c", "echo hi > /f && ls"), i.args());
        assertEquals(2, i.line());
    }

    @Test
    void runExecFormIsTheArray() throws Exception {
        assertEquals(List.of("/bin/echo", "a b", "c"), second("RUN [\"/bin/echo\", \"a b\", \"c\"]").args());
    }

    @Test
    void aBracketThatIsNoJsonArrayIsTheShellForm() throws Exception {
        assertEquals(List.of("/bin/sh", "-c", "[ -e /x ] || touch /x"), second("RUN [ -e /x ] || touch /x").args());
    }

    @Test
    void execFormTakesStringsOnly() {
        assertEquals("Containerfile line 2: the exec form takes strings only, got 1",
                error("FROM busybox\nCMD [\"a\", 1]\n"));
    }

    @Test
    void entrypointAndCmdBothForms() throws Exception {
        assertEquals(List.of("/bin/sh", "-c", "exec top"), second("ENTRYPOINT exec top").args());
        assertEquals(List.of("top", "-b"), second("ENTRYPOINT [\"top\", \"-b\"]").args());
        assertEquals(List.of("/bin/sh", "-c", "echo $HOME"), second("CMD echo $HOME").args());
        assertEquals(List.of("-c", "x"), second("CMD [\"-c\",\"x\"]").args());
        assertEquals(List.of(), second("CMD []").args());
    }

    @Test
    void copySourcesThenDestinationBothForms() throws Exception {
        Instruction i = second("COPY a.txt dir/ /opt/");
        assertEquals(Kind.COPY, i.kind());
        assertEquals(List.of("a.txt", "dir/", "/opt/"), i.args());
        assertEquals(List.of("my file", "/x"), second("COPY [\"my file\", \"/x\"]").args());
        assertEquals(List.of("my file", "/x"), second("COPY \"my file\" /x").args());
    }

    @Test
    void copyNeedsTwoArgumentsAndNoFlags() {
        assertEquals("Containerfile line 2: COPY needs a source and a destination", error("FROM b\nCOPY a\n"));
        assertEquals("Containerfile line 2: COPY --chown=1:1 is not supported", error("FROM b\nCOPY --chown=1:1 a /b\n"));
    }

    @Test
    void envKeyValueForms() throws Exception {
        assertEquals(List.of("A=1", "B=two words", "C="), second("ENV A=1 B=\"two words\" C=").args());
        assertEquals(List.of("GREETING=hello big world"), second("ENV GREETING hello big world").args());
        assertEquals(List.of("P=a b"), second("ENV P=a\\ b").args());
        assertEquals(List.of("Q=it's"), second("ENV Q=\"it's\"").args());
    }

    @Test
    void envErrors() {
        assertEquals("Containerfile line 2: ENV ALONE needs a value (ENV KEY VALUE or ENV KEY=VALUE)",
                error("FROM b\nENV ALONE\n"));
        assertEquals("Containerfile line 2: ENV B has no value (write KEY=VALUE)", error("FROM b\nENV A=1 B\n"));
        assertEquals("Containerfile line 2: unterminated \" quote", error("FROM b\nENV A=\"x\n"));
    }

    @Test
    void workdirAndUserKeepTheirText() throws Exception {
        assertEquals(new Instruction(2, Kind.WORKDIR, List.of("/srv/my app"), "WORKDIR /srv/my app"),
                second("WORKDIR /srv/my app"));
        assertEquals(List.of("1000:1000"), second("user 1000:1000").args());
    }

    @Test
    void continuationsJoinLinesAndSkipCommentsInside() throws Exception {
        List<Instruction> all = parse("FROM busybox\n\nRUN echo a \\\n# a comment inside\n\n  && echo b\n"
                + "ENV X=1\n");
        assertEquals(3, all.size());
        assertEquals(new Instruction(3, Kind.RUN, List.of("/bin/sh", "-c", "echo a   && echo b"),
                "RUN echo a   && echo b"), all.get(1));
        assertEquals(7, all.get(2).line());
    }

    @Test
    void aContinuationAtTheEndOfTheFileEndsTheInstruction() throws Exception {
        assertEquals(List.of("/bin/sh", "-c", "true"), parse("FROM b\nRUN true \\").get(1).args());
    }

    @Test
    void unknownInstructionNamesItsLine() {
        assertEquals("Containerfile line 4: unknown instruction EXPOSE (jbox build knows FROM, RUN, COPY, ENV,"
                + " WORKDIR, USER, ENTRYPOINT, CMD)", error("FROM b\nRUN true\n# x\nEXPOSE 80\n"));
        assertEquals("Containerfile line 2: unknown instruction add (jbox build knows FROM, RUN, COPY, ENV,"
                + " WORKDIR, USER, ENTRYPOINT, CMD)", error("FROM b\nadd x y\n"));
    }

    @Test
    void fromFirstOnceAndAlone() {
        assertEquals("Containerfile has no instructions (it must start with FROM)", error("# nothing\n\n"));
        assertEquals("Containerfile line 2: the first instruction must be FROM, not RUN", error("\nRUN true\n"));
        assertEquals("Containerfile line 3: a second FROM (multi-stage builds are not supported)",
                error("FROM a\nRUN true\nFROM b\n"));
        assertEquals("Containerfile line 1: FROM takes one image (FROM IMAGE AS NAME and flags are not supported)",
                error("FROM a AS build\n"));
    }

    @Test
    void missingArgumentsAreNamed() {
        assertEquals("Containerfile line 2: WORKDIR needs an argument", error("FROM b\nWORKDIR\n"));
        assertEquals("Containerfile line 2: RUN needs a command", error("FROM b\nRUN []\n"));
        assertEquals("Containerfile line 1: FROM needs an argument", error("FROM   \n"));
    }

    private static List<String> expanded(String line, Map<String, String> env) throws ImageException {
        return second(line).expanded(env);
    }

    @Test
    void envWorkdirUserAndCopyTakeTheBuildsVariables() throws Exception {
        Map<String, String> env = Map.of("PATH", "/bin", "APP", "/srv/app", "U", "1000", "EMPTY", "");
        assertEquals(List.of("PATH=/opt/bin:/bin", "B=/srv/app/x"), expanded("ENV PATH=/opt/bin:$PATH B=${APP}/x", env));
        assertEquals(List.of("P=$PATH", "Q=$APP"), expanded("ENV P=\\$PATH Q='$APP'", env), "escaped and '…' stay");
        assertEquals(List.of("D=dflt", "E=set", "F=", "G=/bin"),
                expanded("ENV D=${EMPTY:-dflt} E=${APP:+set} F=${NONE:+x} G=${PATH:-x}", env));
        assertEquals(List.of("LONG=/srv/app and more"), expanded("ENV LONG $APP and more", env));
        assertEquals(List.of("/srv/app/work"), expanded("WORKDIR $APP/work", env));
        assertEquals(List.of("1000"), expanded("USER ${U}", env));
        assertEquals(List.of("a.txt", "/srv/app/"), expanded("COPY a.txt ${APP}/", env));
        assertEquals(List.of("a.txt", "/srv/app"), expanded("COPY [\"a.txt\", \"$APP\"]", env));
        assertEquals(List.of("costs $5", "$"), expanded("ENV A=\"costs $5\" B=$", env).stream()
                .map(e -> e.substring(2)).toList(), "no name after $: kept");
        assertEquals(List.of("/bin/sh", "-c", "echo $APP"), expanded("RUN echo $APP", env), "RUN's shell does its own");
    }

    @Test
    void aBadSubstitutionIsFoundByLineBeforeTheBuild() {
        assertEquals("Containerfile line 2: unterminated ${ in X=${APP", error("FROM b\nENV X=${APP\n"));
        assertEquals("Containerfile line 2: bad substitution ${A:?x} (jbox build knows $NAME, ${NAME}, ${NAME:-word}"
                + " and ${NAME:+word})", error("FROM b\nWORKDIR ${A:?x}\n"));
    }
}
