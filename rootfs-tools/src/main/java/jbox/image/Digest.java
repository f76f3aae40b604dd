// A content digest as OCI descriptors write it ("sha256:<64 hex>"); only sha256 is accepted.
package jbox.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** sha512 is allowed by the spec but no tool we interoperate with writes it; refusing it is explicit. */
public record Digest(String hex) {

    private static final String PREFIX = "sha256:";
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (!HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a sha256 hex digest: " + hex);
        }
    }

    /** Parses "sha256:HEX"; {@code what} names the field for the error message. */
    public static Digest parse(String value, String what) throws ImageException {
        if (value == null) {
            throw new ImageException(what + " has no digest");
        }
        if (!value.startsWith(PREFIX)) {
            throw new ImageException(what + " has digest " + Quoted.of(value) + ": only sha256 digests are supported");
        }
        String hex = value.substring(PREFIX.length());
        if (!HEX.matcher(hex).matches()) {
            throw new ImageException(what + " has a malformed digest " + Quoted.of(value));
        }
        return new Digest(hex);
    }

    public static Digest of(byte[] content) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(content)));
    }

    /** libcrypto's when it loads (NativeSha256: ~20x faster than the JDK's under C1), else the JDK's. */
    public static MessageDigest sha256() {
        MessageDigest fast = NativeSha256.create();
        return fast != null ? fast : jdkSha256();
    }

    static MessageDigest jdkSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public static Digest of(MessageDigest finished) {
        return new Digest(HexFormat.of().formatHex(finished.digest()));
    }

    @Override
    public String toString() {
        return PREFIX + hex;
    }
}
