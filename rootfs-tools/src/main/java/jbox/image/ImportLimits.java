// How much one image import may unpack (config: image.max_bytes, image.max_entries).
package jbox.image;

/**
 * The limits of one import. A compressed archive says nothing trustworthy about its unpacked size
 * (a 20 MB gzip of zeros unpacks to 20 GB), so they are enforced on what is actually unpacked, while
 * it streams: see {@link ImportBudget}.
 *
 * @param maxBytes   bytes an import may unpack, summed over everything it extracts (an archive's
 *                   files, then every layer)
 * @param maxEntries tar entries an import may extract, summed the same way
 */
public record ImportLimits(long maxBytes, long maxEntries) {
    /** No limits: for tests and for sources jbox made itself. */
    public static final ImportLimits NONE = new ImportLimits(Long.MAX_VALUE, Long.MAX_VALUE);

    public ImportLimits {
        if (maxBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("import limits must be positive: " + maxBytes + ", " + maxEntries);
        }
    }

    /** The counters of one import, starting at zero. */
    ImportBudget budget() {
        return new ImportBudget(this);
    }
}
