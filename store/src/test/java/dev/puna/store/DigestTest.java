package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    private static final String HEX = "6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa";

    @Test
    void bothSeparatorsParse() {
        Digest colon = Digest.parse("sha256:" + HEX);
        Digest dash = Digest.parse("sha256-" + HEX);
        assertEquals(colon, dash);
        assertEquals("sha256:" + HEX, colon.toString());
        assertEquals("sha256-" + HEX, colon.fileName());
        assertEquals("6a0746a1ec1a", colon.shortHex());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha256:", "sha256:abc", "sha512:" + HEX, "sha256/" + HEX, "SHA256:" + HEX,
        "sha256:" + "6A0746A1EC1AEF3E7EC53868F220FF6E389F6F8EF87A01D77C96807DE94CA2AA",
        "sha256:../../../../etc/passwd", "sha256-" + HEX + "/../x", "sha256:" + HEX + "0",
        "sha256:" + HEX + "\u0000", " sha256:" + HEX, "sha256:%2e%2e%2fetc%2fpasswd0000000000000000000000000000000"})
    void invalidDigestsAreRefused(String bad) {
        InvalidDigestException e = assertThrows(InvalidDigestException.class, () -> Digest.parse(bad));
        assertEquals(400, e.httpStatus());
    }

    @Test
    void nullIsRefused() {
        assertThrows(InvalidDigestException.class, () -> Digest.parse(null));
        assertThrows(InvalidDigestException.class, () -> new Digest("../x"));
    }
}
