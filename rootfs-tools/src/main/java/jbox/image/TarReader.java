// Reads a tar stream entry by entry: ustar, GNU (long names, old sparse) and PAX (xattrs, sparse 0.0/0.1/1.0).
package jbox.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * jbox's own tar reader, for unpacking. Commons Compress' reader decoded PAX values as UTF-8 (which
 * breaks binary xattrs such as {@code security.capability}, so a second parser sat under it) and
 * allocated two 8 KiB buffers per entry: in the engine's small heap that was a dozen young
 * collections per import of a 3,500-entry tar, and parsing was the largest part of the unpacking
 * thread's time. This reader parses each 512-byte header in place and hands out the entry's data,
 * holes of sparse files filled with zeros, as {@link #read}.
 *
 * <p>Hostile input is bounded: extension headers (PAX, GNU long names) and sparse maps have size
 * limits, numbers that do not parse fail the read, and a header whose checksum is wrong ends the
 * import. Writing tars stays with Commons Compress.
 */
final class TarReader {
    static final int BLOCK = 512;
    /** tar writes records of 20 blocks: what pads the last one after the end marker belongs to the archive. */
    static final int RECORD = 20 * BLOCK;
    /** PAX and GNU long-name headers larger than this are refused (xattrs are at most 64 KiB each). */
    static final int MAX_EXTENSION = 16 << 20;
    /** A sparse map with more segments than this is refused. */
    static final int MAX_SPARSE_SEGMENTS = 1 << 20;

    private static final String XATTR_PREFIX = "SCHILY.xattr.";

    /** One entry's header, with what PAX and GNU extension headers said about it. */
    static final class Entry {
        String name;
        String linkName;
        byte type;
        int mode;
        long uid;
        long gid;
        /** Bytes of data the archive holds for the entry. */
        long size;
        /** The file's length once holes are filled: {@link #size} unless sparse. */
        long realSize;
        FileTime mtime;
        Map<String, byte[]> xattrs = Map.of();
        /** Data segments of a sparse file (offset, length pairs), or null. */
        long[] sparse;

        String name() {
            return name;
        }

        String linkName() {
            return linkName;
        }

        byte type() {
            return type;
        }

        int mode() {
            return mode;
        }

        long uid() {
            return uid;
        }

        long gid() {
            return gid;
        }

        long realSize() {
            return realSize;
        }

        FileTime mtime() {
            return mtime;
        }

        Map<String, byte[]> xattrs() {
            return xattrs;
        }

        boolean isSparse() {
            return sparse != null;
        }

        /** A POSIX global header: its values apply to the entries after it, it is nothing to extract. */
        boolean isGlobalHeader() {
            return type == 'g';
        }

        /** As tar has it: type '5', or any other entry whose name ends in '/'. */
        boolean isDirectory() {
            return type == '5' || name.endsWith("/");
        }
    }

    private final Counting in;
    private final byte[] header = new byte[BLOCK];
    private final byte[] skip = new byte[8 * BLOCK];
    /** Global PAX records: defaults for every later entry. */
    private final Map<String, byte[]> global = new HashMap<>();
    private boolean started;
    private boolean firstHeaderBad;
    private boolean ended;

    /** Data of the current entry still in the archive, and its padding. */
    private long dataLeft;
    private int padding;
    /** For a sparse entry: where the output is, the segments, the next one. */
    private Entry current;
    private long position;
    private int segment;

    TarReader(InputStream in) {
        this.in = new Counting(in);
    }

    /** Counts what was read, to find the end of the last record. */
    private static final class Counting extends java.io.FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }
    }

    /** Whether the stream's first 512 bytes were no tar header at all (or there were fewer). */
    boolean notATar() {
        return firstHeaderBad;
    }

    /** The next entry (its data unread: {@link #read}), or null at the end of the archive. */
    Entry next() throws IOException {
        if (ended) {
            return null;
        }
        skipEntry();
        String longName = null;
        String longLink = null;
        Map<String, byte[]> pax = null;
        List<long[]> pax00 = null;
        while (true) {
            if (!readHeader()) {
                ended = true;
                return null;
            }
            byte type = header[156];
            if (type == 'L' || type == 'K' || type == 'x') {
                byte[] data = readExtension(sizeField());
                if (type == 'L') {
                    longName = cString(data, 0, data.length);
                } else if (type == 'K') {
                    longLink = cString(data, 0, data.length);
                } else {
                    if (pax == null) {
                        pax = new HashMap<>();
                    }
                    pax00 = parsePax(data, pax, pax00);
                }
                continue;
            }
            Entry e = parseHeader(type);
            if (type == 'g') {
                byte[] data = readExtension(e.size);
                parsePax(data, global, null);
                e.size = 0;
                e.realSize = 0;
                startData(e);
                return e;
            }
            if (!global.isEmpty()) {
                apply(e, global, null);
            }
            if (longName != null) {
                e.name = longName;
            }
            if (longLink != null) {
                e.linkName = longLink;
            }
            boolean mapInData = pax != null && apply(e, pax, pax00);
            startData(e);
            if (mapInData) {
                e.sparse = sparseMapInData(e);
            }
            return e;
        }
    }

    /** The current entry's data (zeros in a sparse file's holes); -1 at its end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (current == null || len == 0) {
            return current == null ? -1 : 0;
        }
        if (current.sparse == null) {
            if (dataLeft == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, dataLeft));
            if (n < 0) {
                throw new IOException("truncated tar: entry data ends early");
            }
            dataLeft -= n;
            return n;
        }
        return readSparse(b, off, len);
    }

    private int readSparse(byte[] b, int off, int len) throws IOException {
        long[] map = current.sparse;
        if (position >= current.realSize) {
            return -1;
        }
        while (segment < map.length && position >= map[segment] + map[segment + 1]) {
            segment += 2;
        }
        long dataStart = segment < map.length ? Math.min(map[segment], current.realSize) : current.realSize;
        if (position < dataStart) { // a hole
            int n = (int) Math.min(len, dataStart - position);
            Arrays.fill(b, off, off + n, (byte) 0);
            position += n;
            return n;
        }
        long segmentEnd = Math.min(map[segment] + map[segment + 1], current.realSize);
        int want = (int) Math.min(len, Math.min(segmentEnd - position, dataLeft));
        if (want <= 0) {
            throw new IOException("truncated tar: sparse data of " + Quoted.of(current.name) + " ends early");
        }
        int n = in.read(b, off, want);
        if (n < 0) {
            throw new IOException("truncated tar: entry data ends early");
        }
        dataLeft -= n;
        position += n;
        return n;
    }

    /** Reads one header block; false at the end of the archive (a zero block, or the stream's end on a block boundary). */
    private boolean readHeader() throws IOException {
        int n = in.readNBytes(header, 0, BLOCK);
        boolean first = !started;
        started = true;
        if (n < BLOCK) {
            firstHeaderBad = first;
            if (n == 0 && !first) {
                return false;
            }
            throw new IOException(first ? "no tar header" : "truncated tar: a header ends early");
        }
        if (isZero(header)) {
            // The rest of this record (the second zero block, padding) is the archive's, as tar reads it;
            // anything after that is the caller's (TarImporter drains it, counting it as unpacked).
            long rest = (RECORD - in.count % RECORD) % RECORD;
            while (rest > 0) {
                int r = in.read(skip, 0, (int) Math.min(skip.length, rest));
                if (r < 0) {
                    break;
                }
                rest -= r;
            }
            return false;
        }
        if (!checksumMatches()) {
            firstHeaderBad = first;
            throw new IOException("tar header checksum mismatch");
        }
        return true;
    }

    private Entry parseHeader(byte type) throws IOException {
        Entry e = new Entry();
        e.type = type;
        boolean gnu = header[257] == 'u' && header[262] == ' '; // "ustar  \0": old GNU, no prefix field
        boolean ustar = header[257] == 'u' && header[262] == 0;
        String name = cString(header, 0, 100);
        if (ustar && header[345] != 0) {
            name = cString(header, 345, 155) + "/" + name;
        }
        e.name = name;
        e.linkName = cString(header, 157, 100);
        e.mode = (int) number(100, 8, "mode");
        e.uid = number(108, 8, "uid");
        e.gid = number(116, 8, "gid");
        e.size = sizeField();
        e.realSize = e.size;
        e.mtime = FileTime.from(Instant.ofEpochSecond(number(136, 12, "mtime")));
        if (type == 'S' && gnu) {
            oldGnuSparse(e);
        }
        return e;
    }

    /** Old GNU sparse ('S'): four segments in the header, 21 per extension block, the real size at 483. */
    private void oldGnuSparse(Entry e) throws IOException {
        List<long[]> segments = new ArrayList<>();
        sparseSegments(header, 386, 4, segments);
        e.realSize = number(483, 12, "sparse real size");
        boolean extended = header[482] != 0;
        byte[] block = new byte[BLOCK];
        while (extended) {
            if (in.readNBytes(block, 0, BLOCK) < BLOCK) {
                throw new IOException("truncated tar: a sparse header ends early");
            }
            sparseSegments(block, 0, 21, segments);
            extended = block[504] != 0;
        }
        e.sparse = flatten(segments);
    }

    private void sparseSegments(byte[] block, int from, int count, List<long[]> into) throws IOException {
        for (int i = 0; i < count; i++) {
            int at = from + i * 24;
            if (block[at] == 0) {
                return;
            }
            into.add(new long[] {parseNumber(block, at, 12, "sparse offset"), parseNumber(block, at + 12, 12, "sparse size")});
            if (into.size() > MAX_SPARSE_SEGMENTS) {
                throw new IOException("tar sparse map has more than " + MAX_SPARSE_SEGMENTS + " segments");
            }
        }
    }

    /**
     * PAX and global records over the header's values; the GNU sparse formats they carry. True for
     * sparse 1.0, whose map heads the entry's data ({@link #sparseMapInData}).
     */
    private boolean apply(Entry e, Map<String, byte[]> records, List<long[]> pax00) throws IOException {
        Map<String, byte[]> xattrs = null;
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            String key = r.getKey();
            byte[] v = r.getValue();
            switch (key) {
                case "path" -> e.name = utf8(v);
                case "linkpath" -> e.linkName = utf8(v);
                case "uid" -> e.uid = decimal(v, key);
                case "gid" -> e.gid = decimal(v, key);
                case "size" -> {
                    e.size = decimal(v, key);
                    e.realSize = e.size;
                }
                case "mtime" -> e.mtime = paxTime(v);
                default -> {
                    if (key.startsWith(XATTR_PREFIX) && key.length() > XATTR_PREFIX.length()) {
                        if (xattrs == null) {
                            xattrs = new LinkedHashMap<>(e.xattrs);
                        }
                        xattrs.put(key.substring(XATTR_PREFIX.length()), v);
                    }
                }
            }
        }
        if (xattrs != null) {
            e.xattrs = xattrs;
        }
        return paxSparse(e, records, pax00);
    }

    private boolean paxSparse(Entry e, Map<String, byte[]> records, List<long[]> pax00) throws IOException {
        byte[] major = records.get("GNU.sparse.major");
        byte[] realSize = records.get("GNU.sparse.realsize");
        byte[] size = records.get("GNU.sparse.size");
        byte[] name = records.get("GNU.sparse.name");
        if (major != null && utf8(major).equals("1")) { // 1.0: the map heads the data
            if (name != null) {
                e.name = utf8(name);
            }
            if (realSize == null) {
                throw new IOException("PAX sparse 1.0 entry " + Quoted.of(e.name) + " has no GNU.sparse.realsize");
            }
            e.realSize = decimal(realSize, "GNU.sparse.realsize");
            return true;
        }
        byte[] map = records.get("GNU.sparse.map");
        if (map == null && (pax00 == null || pax00.isEmpty())) {
            return false;
        }
        if (name != null) {
            e.name = utf8(name);
        }
        if (size == null && realSize == null) {
            throw new IOException("PAX sparse entry " + Quoted.of(e.name) + " has no real size");
        }
        e.realSize = decimal(size != null ? size : realSize, "GNU.sparse.size");
        if (map != null) { // 0.1: "offset,size,offset,size..."
            String[] parts = utf8(map).split(",", -1);
            if (parts.length % 2 != 0 || parts.length / 2 > MAX_SPARSE_SEGMENTS) {
                throw new IOException("PAX sparse map of " + Quoted.of(e.name) + " is malformed");
            }
            long[] flat = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                flat[i] = decimal(parts[i].getBytes(StandardCharsets.US_ASCII), "GNU.sparse.map");
            }
            e.sparse = checked(flat, e);
        } else { // 0.0: repeated GNU.sparse.offset / GNU.sparse.numbytes
            e.sparse = checked(flatten(pax00), e);
        }
        return false;
    }

    /** PAX sparse 1.0: decimal lines (count, then offset and size of each segment), padded to a block. */
    private long[] sparseMapInData(Entry e) throws IOException {
        long[] values = null;
        long count = -1;
        int filled = 0;
        long used = 0;
        StringBuilder digits = new StringBuilder();
        byte[] block = new byte[BLOCK];
        while (count < 0 || filled < values.length) {
            if (in.readNBytes(block, 0, BLOCK) < BLOCK) {
                throw new IOException("truncated tar: the sparse map of " + Quoted.of(e.name) + " ends early");
            }
            used += BLOCK;
            for (int i = 0; i < BLOCK && (count < 0 || filled < values.length); i++) {
                byte c = block[i];
                if (c == '\n') {
                    long v = decimal(digits.toString().getBytes(StandardCharsets.US_ASCII), "sparse map");
                    digits.setLength(0);
                    if (count < 0) {
                        if (v > MAX_SPARSE_SEGMENTS) {
                            throw new IOException("tar sparse map has more than " + MAX_SPARSE_SEGMENTS + " segments");
                        }
                        count = v;
                        values = new long[(int) v * 2];
                    } else {
                        values[filled++] = v;
                    }
                } else if (c >= '0' && c <= '9' && digits.length() < 20) {
                    digits.append((char) c);
                } else {
                    throw new IOException("the sparse map of " + Quoted.of(e.name) + " is malformed");
                }
            }
        }
        dataLeft -= used;
        if (dataLeft < 0) {
            throw new IOException("the sparse map of " + Quoted.of(e.name) + " is larger than its entry");
        }
        return checked(values, e);
    }

    /** Segments in order, not overlapping, inside the real size: the reader relies on it. */
    private static long[] checked(long[] flat, Entry e) throws IOException {
        long end = 0;
        for (int i = 0; i < flat.length; i += 2) {
            if (flat[i] < end || flat[i + 1] < 0 || flat[i] + flat[i + 1] < flat[i]) {
                throw new IOException("the sparse map of " + Quoted.of(e.name) + " is out of order");
            }
            end = flat[i] + flat[i + 1];
        }
        return flat;
    }

    private static long[] flatten(List<long[]> segments) {
        long[] flat = new long[segments.size() * 2];
        for (int i = 0; i < segments.size(); i++) {
            flat[2 * i] = segments.get(i)[0];
            flat[2 * i + 1] = segments.get(i)[1];
        }
        return flat;
    }

    private void startData(Entry e) throws IOException {
        if (e.size < 0) {
            throw new IOException("tar entry " + Quoted.of(e.name) + " has a negative size");
        }
        current = e;
        dataLeft = e.size;
        padding = (int) ((BLOCK - e.size % BLOCK) % BLOCK);
        position = 0;
        segment = 0;
    }

    /** Skips what is left of the current entry's data and its padding to the next block ({@link #next} does it too). */
    void skipEntry() throws IOException {
        if (current == null) {
            return;
        }
        long left = dataLeft + padding;
        while (left > 0) {
            int n = in.read(skip, 0, (int) Math.min(skip.length, left));
            if (n < 0) {
                throw new IOException("truncated tar: entry data ends early");
            }
            left -= n;
        }
        dataLeft = 0;
        padding = 0;
        current = null;
    }

    private byte[] readExtension(long size) throws IOException {
        if (size < 0 || size > MAX_EXTENSION) {
            throw new IOException("tar extension header of " + size + " bytes (at most " + MAX_EXTENSION + ")");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new IOException("truncated tar: an extension header ends early");
        }
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        if (in.readNBytes(skip, 0, (int) pad) < pad) {
            throw new IOException("truncated tar: an extension header ends early");
        }
        return data;
    }

    /**
     * PAX records, "LEN KEY=VALUE\n" with LEN counting the whole record, values kept as bytes. The
     * 0.0 sparse format repeats GNU.sparse.offset and GNU.sparse.numbytes: those go to a list.
     */
    private static List<long[]> parsePax(byte[] data, Map<String, byte[]> into, List<long[]> pax00) throws IOException {
        int at = 0;
        Long offset = null;
        while (at < data.length) {
            int space = at;
            long len = 0;
            while (space < data.length && data[space] >= '0' && data[space] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (data[space] - '0');
                space++;
            }
            if (space == at && data[at] == 0) {
                break; // NUL padding after the last record
            }
            if (space == at || space >= data.length || data[space] != ' ' || len <= space - at
                    || at + len > data.length || data[(int) (at + len - 1)] != '\n') {
                throw new IOException("malformed PAX header record at byte " + at);
            }
            int end = (int) (at + len - 1);
            int equals = space + 1;
            while (equals < end && data[equals] != '=') {
                equals++;
            }
            if (equals == end) {
                throw new IOException("malformed PAX header record at byte " + at);
            }
            String key = new String(data, space + 1, equals - space - 1, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(data, equals + 1, end);
            if (key.equals("GNU.sparse.offset")) {
                offset = decimal(value, key);
            } else if (key.equals("GNU.sparse.numbytes")) {
                if (offset == null) {
                    throw new IOException("PAX sparse 0.0: GNU.sparse.numbytes without an offset");
                }
                if (pax00 == null) {
                    pax00 = new ArrayList<>();
                }
                if (pax00.size() >= MAX_SPARSE_SEGMENTS) {
                    throw new IOException("tar sparse map has more than " + MAX_SPARSE_SEGMENTS + " segments");
                }
                pax00.add(new long[] {offset, decimal(value, key)});
                offset = null;
            } else if (value.length == 0) {
                into.remove(key); // an empty value undoes a global one
            } else {
                into.put(key, value);
            }
            at += (int) len;
        }
        return pax00;
    }

    private boolean checksumMatches() {
        long stored;
        try {
            stored = parseNumber(header, 148, 8, "checksum");
        } catch (IOException e) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i >= 148 && i < 156 ? (byte) ' ' : header[i];
            unsigned += b & 0xff;
            signed += b;
        }
        return stored == unsigned || stored == signed;
    }

    private long sizeField() throws IOException {
        return number(124, 12, "size");
    }

    private long number(int from, int len, String what) throws IOException {
        return parseNumber(header, from, len, what);
    }

    /** Octal (space or NUL ended, leading spaces allowed), or base-256 when the first byte has its high bit (GNU). */
    static long parseNumber(byte[] b, int from, int len, String what) throws IOException {
        if ((b[from] & 0x80) != 0) {
            if (b[from] != (byte) 0x80) {
                throw new IOException("tar header " + what + " is negative or too large");
            }
            long value = 0;
            for (int i = from + 1; i < from + len; i++) {
                if (value >>> 55 != 0) {
                    throw new IOException("tar header " + what + " is too large");
                }
                value = (value << 8) | (b[i] & 0xff);
            }
            return value;
        }
        long value = 0;
        int i = from;
        int end = from + len;
        while (i < end && b[i] == ' ') {
            i++; // leading spaces
        }
        boolean digits = false;
        for (; i < end; i++) {
            byte c = b[i];
            if (c == 0 || c == ' ') {
                break;
            }
            if (c < '0' || c > '7' || value >>> 60 != 0) {
                throw new IOException("tar header " + what + " is not an octal number");
            }
            value = value * 8 + (c - '0');
            digits = true;
        }
        return digits ? value : 0;
    }

    private static long decimal(byte[] v, String what) throws IOException {
        if (v.length == 0 || v.length > 18) { // 18 digits cannot overflow a long
            throw new IOException("PAX " + what + " is not a number");
        }
        long value = 0;
        for (byte c : v) {
            if (c < '0' || c > '9') {
                throw new IOException("PAX " + what + " is not a number");
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** PAX mtime: seconds since the epoch, with an optional fraction (and sign). */
    private static FileTime paxTime(byte[] v) throws IOException {
        String s = utf8(v);
        boolean negative = s.startsWith("-");
        String digits = negative ? s.substring(1) : s;
        int dot = digits.indexOf('.');
        String whole = dot < 0 ? digits : digits.substring(0, dot);
        String fraction = dot < 0 ? "" : digits.substring(dot + 1);
        long seconds = whole.isEmpty() ? 0 : decimal(whole.getBytes(StandardCharsets.US_ASCII), "mtime");
        long nanos = 0;
        if (!fraction.isEmpty()) {
            String nine = (fraction + "000000000").substring(0, 9);
            nanos = decimal(nine.getBytes(StandardCharsets.US_ASCII), "mtime");
        }
        Instant t = Instant.ofEpochSecond(seconds, nanos);
        return FileTime.from(negative ? Instant.ofEpochSecond(0).minusSeconds(seconds).minusNanos(nanos) : t);
    }

    private static String cString(byte[] b, int from, int len) {
        int end = from;
        while (end < from + len && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] v) {
        return new String(v, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
