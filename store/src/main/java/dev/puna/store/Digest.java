package dev.puna.store;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A SHA-256 content digest, {@code sha256:<64 lowercase hex>}. Parsing accepts {@code sha256:} and {@code sha256-}
 * (the form blob file names use) and nothing else: an unchecked digest reaching a file path was Ollama's
 * CVE-2024-37032. Immutable.
 *
 * @param hex the 64 lowercase hex digits
 */
public record Digest(String hex) {
    private static final Pattern PATTERN = Pattern.compile("^sha256[:-][0-9a-f]{64}$");
    private static final Pattern HEX = Pattern.compile("^[0-9a-f]{64}$");

    /** Validates {@code hex}. */
    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new InvalidDigestException("sha256:" + hex);
        }
    }

    /**
     * Parses {@code sha256:<hex>} or {@code sha256-<hex>}.
     *
     * @throws InvalidDigestException for anything else, upper-case hex included
     */
    public static Digest parse(String digest) {
        if (digest == null || !PATTERN.matcher(digest).matches()) {
            throw new InvalidDigestException(digest);
        }
        return new Digest(digest.substring("sha256:".length()));
    }

    /** The digest of a SHA-256 hash value (32 bytes). */
    public static Digest of(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 hash has 32 bytes, not " + sha256.length);
        }
        return new Digest(HexFormat.of().formatHex(sha256));
    }

    /** The blob's file name in the store: {@code sha256-<hex>}. */
    public String fileName() {
        return "sha256-" + hex;
    }

    /** The first 12 hex digits, as Ollama's progress statuses show them ({@code pulling 6a0746a1ec1a}). */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    /** {@code sha256:<hex>}. */
    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
