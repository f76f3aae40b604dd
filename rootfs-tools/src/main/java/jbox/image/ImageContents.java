// What an image archive resolves to before anything is extracted: its config and its layers, in order.
package jbox.image;

import java.util.List;

/**
 * @param format         "oci" or "docker-archive", for image.json's source
 * @param manifestDigest digest of the chosen manifest; null for a docker-archive (it has no manifest blob)
 * @param configDigest   digest of the config blob, already verified
 */
record ImageContents(String format, Digest manifestDigest, Digest configDigest, ImageConfig config,
        List<Layer> layers) {

    /**
     * One layer blob in the archive.
     *
     * @param path      relative path in the archive
     * @param mediaType the descriptor's media type ("" in a docker-archive)
     * @param digest    digest of the blob as stored (compressed); null when the archive gives none
     * @param size      size of the blob as stored, or -1 when unknown
     * @param diffId    digest of the uncompressed tar, from the config
     */
    record Layer(String path, String mediaType, Digest digest, long size, Digest diffId) {
    }
}
