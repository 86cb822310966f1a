package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which Host header values pass the DNS-rebinding check (no server: the check's own decision). */
class HostCheckTest {
    private static HostCheck check(String bound, String... allowed) {
        return new HostCheck(bound, List.of(allowed), rc -> null);
    }

    @Test
    void loopbackNamesAndAddressesPass() {
        HostCheck c = check("127.0.0.1");
        for (String ok : List.of("localhost", "localhost:11434", "LOCALHOST:1", "localhost.", "127.0.0.1",
                "127.0.0.1:11434", "127.9.8.7:80", "[::1]", "[::1]:11434", "[0:0:0:0:0:0:0:1]:5",
                "[::ffff:127.0.0.1]:80")) {
            assertTrue(c.allows(ok), ok);
        }
    }

    @Test
    void otherNamesEmptyHostsAndMalformedHeadersAreRefused() {
        HostCheck c = check("127.0.0.1");
        for (String bad : List.of("evil.com", "evil.com:11434", ":11434", "", " ", "localhost.evil.com",
                "evil.localhost", "127.0.0.1.nip.io", "10.0.0.1", "[::1", "[::1]x", "::1", "localhost:abc",
                "256.0.0.1", "0x7f.1", "[evil.com]:80", "[::2]:80", "0.0.0.0:11434")) {
            assertFalse(c.allows(bad), bad);
        }
        assertFalse(c.allows(null), "a missing Host header");
    }

    @Test
    void theBoundAddressAndConfiguredNamesPass() {
        HostCheck c = check("10.1.2.3", "puna.example.com", "*.corp.example", "192.168.0.7");
        assertTrue(c.allows("10.1.2.3:11434"));
        assertTrue(c.allows("puna.example.com"));
        assertTrue(c.allows("PUNA.example.com:443"));
        assertTrue(c.allows("gpu1.corp.example"));
        assertTrue(c.allows("192.168.0.7:80"));
        assertFalse(c.allows("corp.example"), "*.domain is for subdomains");
        assertFalse(c.allows("evil-corp.example"));
        assertFalse(c.allows("10.1.2.4"));
        HostCheck named = check("gpu-box.lan");
        assertTrue(named.allows("gpu-box.lan:11434"));
        assertFalse(named.allows("other.lan"));
        HostCheck v6 = check("fd00::5");
        assertTrue(v6.allows("[fd00::5]:11434"));
        assertTrue(v6.allows("[FD00:0::5]"));
    }

    @Test
    void aWildcardBindAcceptsThisMachinesAddressesOnly() throws Exception {
        HostCheck c = check("0.0.0.0");
        for (java.net.NetworkInterface ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (java.net.InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                String literal = a.getHostAddress().replaceAll("%.*", "");
                assertTrue(c.allows(a instanceof java.net.Inet6Address ? "[" + literal + "]" : literal), literal);
            }
        }
        assertFalse(c.allows("evil.com"));
        assertFalse(c.allows("203.0.113.9"), "a documentation address is no address of this machine");
    }

    @Test
    void starTurnsTheCheckOff() {
        HostCheck c = check("127.0.0.1", "*");
        assertTrue(c.allows("evil.com"));
        assertTrue(c.allows(null));
    }

    @Test
    void hostParts() {
        assertEquals("a", HostCheck.hostPart("a:1"));
        assertEquals("", HostCheck.hostPart(":1"));
        assertEquals("::1", HostCheck.hostPart("[::1]:1"));
        assertEquals(null, HostCheck.hostPart("a:b:c"));
    }
}
