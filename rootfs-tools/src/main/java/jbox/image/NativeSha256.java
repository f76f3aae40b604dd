// SHA-256 by the system's libcrypto, for the digests of layers and blobs.
package jbox.image;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Pinned;

/**
 * The resident engine compiles with C1 only (it starts quickly and stays small), and C1 code has
 * no SHA-256 intrinsic: hashing a 44 MiB layer took ~600 ms there, against ~30 ms for the same
 * JDK with C2 or for libcrypto (which uses the CPU's SHA extensions). Every import and pull hashes
 * each layer once or twice, so the digest is taken from libcrypto when it can be loaded, and from
 * the JDK otherwise ({@link Digest#sha256}).
 *
 * <p>The context lives in a Java array that each call copies in and out (112 bytes), so nothing
 * native is left to free. Input is gathered into a 64 KiB buffer: a tar stream's 512-byte header
 * reads and single bytes cost one native call per buffer, not one each.
 */
final class NativeSha256 extends MessageDigest {
    /** SHA256_CTX: eight state words, two length words, a 64-byte block, num and md_len (112 bytes); room to spare. */
    private static final int CTX_BYTES = 256;
    private static final int BUFFER = 1 << 16;

    /** The calls used here: OpenSSL's SHA256_* (deprecated in 3.0, still exported, unchanged since 0.9.8). */
    public interface LibCrypto {
        int SHA256_Init(@Out byte[] ctx);

        int SHA256_Update(@In @Out byte[] ctx, @In @Pinned ByteBuffer data, long len);

        int SHA256_Final(@Out byte[] md, @In @Out byte[] ctx);
    }

    private static final class Native {
        static final LibCrypto CRYPTO = load();

        private static LibCrypto load() {
            try {
                NativeFiles.load(); // jffi's stub goes to jbox's own directory first (JffiDir)
                LibCrypto c = LibraryLoader.create(LibCrypto.class).failImmediately()
                        .library("libcrypto.so.3").library("crypto").load();
                return works(c) ? c : null;
            } catch (RuntimeException | LinkageError e) {
                return null; // no libcrypto here: the JDK's digest
            }
        }

        /** A known answer (FIPS 180-2's "abc"), so a library that does something else is never used. */
        private static boolean works(LibCrypto c) {
            byte[] ctx = new byte[CTX_BYTES];
            byte[] md = new byte[32];
            byte[] abc = {'a', 'b', 'c'};
            return c.SHA256_Init(ctx) == 1 && c.SHA256_Update(ctx, ByteBuffer.wrap(abc), 3) == 1
                    && c.SHA256_Final(md, ctx) == 1
                    && java.util.HexFormat.of().formatHex(md)
                            .equals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        }
    }

    private final byte[] ctx = new byte[CTX_BYTES];
    private final byte[] buffer = new byte[BUFFER];
    private int buffered;

    private NativeSha256() {
        super("SHA-256");
        engineReset();
    }

    /** A new digest from libcrypto, or null when it cannot be loaded here. */
    static MessageDigest create() {
        return Native.CRYPTO == null ? null : new NativeSha256();
    }

    @Override
    protected void engineUpdate(byte input) {
        if (buffered == BUFFER) {
            flush();
        }
        buffer[buffered++] = input;
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        if (len >= BUFFER) {
            flush();
            update(ByteBuffer.wrap(input, offset, len), len);
            return;
        }
        if (buffered + len > BUFFER) {
            flush();
        }
        System.arraycopy(input, offset, buffer, buffered, len);
        buffered += len;
    }

    @Override
    protected byte[] engineDigest() {
        flush();
        byte[] md = new byte[32];
        if (Native.CRYPTO.SHA256_Final(md, ctx) != 1) {
            throw new IllegalStateException("libcrypto's SHA256_Final failed");
        }
        engineReset();
        return md;
    }

    @Override
    protected void engineReset() {
        buffered = 0;
        if (Native.CRYPTO.SHA256_Init(ctx) != 1) {
            throw new IllegalStateException("libcrypto's SHA256_Init failed");
        }
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    private void flush() {
        if (buffered > 0) {
            update(ByteBuffer.wrap(buffer, 0, buffered), buffered);
            buffered = 0;
        }
    }

    private void update(ByteBuffer data, int len) {
        if (Native.CRYPTO.SHA256_Update(ctx, data, len) != 1) {
            throw new IllegalStateException("libcrypto's SHA256_Update failed");
        }
    }
}
