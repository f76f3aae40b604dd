// Reads and writes image.json; reading is on the `jbox run` start path, so nothing costly is set up for it.
package jbox.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import jbox.io.FileModes;
import jbox.io.IoReason;

final class ImageMetaFile {

    static final String FILE_NAME = "image.json";

    private ImageMetaFile() {
    }

    /**
     * Holder idiom: the JVM initialises this class on first write only, so `jbox run` (which only
     * reads, see {@link ImageMetaParser}) never pays for building the mapper.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
        static final ObjectWriter WRITER = MAPPER.writerFor(ImageMeta.class).withDefaultPrettyPrinter();
    }

    static ImageMeta read(Path file) throws ImageException {
        ImageMeta meta;
        try (InputStream in = Files.newInputStream(file)) {
            meta = ImageMetaParser.parse(in);
        } catch (JsonProcessingException e) {
            // The original message leaves out Jackson's multi-line source excerpt.
            throw new ImageException("cannot parse image metadata " + file + ": "
                    + IoReason.lowercaseFirst(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ImageException("cannot read image metadata " + file + ": " + IoReason.of(e), e);
        }
        if (meta.name() == null) {
            throw new ImageException("image metadata " + file + " has no image name");
        }
        return meta;
    }

    static void write(Path file, ImageMeta meta) throws ImageException {
        try {
            FileModes.write(file, Json.WRITER.writeValueAsBytes(meta), FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new ImageException("cannot write image metadata " + file + ": " + IoReason.of(e), e);
        }
    }
}
