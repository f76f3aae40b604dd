// Counts what one image import has unpacked so far and stops it at its ImportLimits.
package jbox.image;

/**
 * One per import, shared by every extractor of that import, so layers are summed. Bytes are
 * counted as they are written (a sparse entry counts what it expands to; a lying size field does
 * not matter), and an entry whose header already claims more than is left is refused before
 * anything of it is written.
 */
final class ImportBudget {
    private final ImportLimits limits;
    private long bytes;
    private long entries;
    /** What the import skipped; kept here because this is the one object every extractor of an import shares. */
    private final ImportWarnings warnings = new ImportWarnings();

    ImportBudget(ImportLimits limits) {
        this.limits = limits;
    }

    ImportWarnings warnings() {
        return warnings;
    }

    /** A new tar entry is about to be extracted. */
    void entry() throws ImageException {
        entries++;
        if (entries > limits.maxEntries()) {
            throw new ImageException("image import: more than image.max_entries (" + limits.maxEntries()
                    + ") tar entries");
        }
    }

    /** Refuses up front an entry whose header claims more than the rest of the budget. */
    void claim(long declaredSize) throws ImageException {
        if (declaredSize > limits.maxBytes() - bytes) {
            throw tooLarge();
        }
    }

    /** {@code n} more bytes were unpacked. */
    void unpacked(long n) throws ImageException {
        bytes += n;
        if (bytes > limits.maxBytes()) {
            throw tooLarge();
        }
    }

    private ImageException tooLarge() {
        return new ImageException("image import: unpacked size exceeds image.max_bytes (" + limits.maxBytes()
                + " bytes)");
    }
}
