package dev.puna.runtime.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify over real Unix datagram sockets: path and abstract addresses, and what happens without a listener. */
class ServiceNotifierTest {
    @TempDir
    Path dir;

    @Test
    void notificationsReachAPathSocket() throws IOException {
        Path socket = dir.resolve("notify.sock");
        try (NotifyReceiver systemd = NotifyReceiver.bind(socket.toString())) {
            assertTrue(Files.exists(socket), "bind creates the socket file");
            ServiceNotifier n = ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket.toString()));
            assertTrue(n.enabled());
            assertTrue(n.ready("listening on http://127.0.0.1:11434"));
            assertEquals(Optional.of("READY=1\nSTATUS=listening on http://127.0.0.1:11434"),
                    systemd.receive(Duration.ofSeconds(5)));
            assertTrue(n.stopping("draining\n2 requests"));
            assertEquals(Optional.of("STOPPING=1\nSTATUS=draining 2 requests"), systemd.receive(Duration.ofSeconds(5)));
            assertEquals(Optional.empty(), systemd.receive(Duration.ofMillis(50)), "nothing else was sent");
        }
    }

    @Test
    void notificationsReachAnAbstractSocket() throws IOException {
        String name = "@puna-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifyReceiver systemd = NotifyReceiver.bind(name)) {
            ServiceNotifier n = ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", name));
            assertTrue(n.status("loading"));
            assertEquals(Optional.of("STATUS=loading"), systemd.receive(Duration.ofSeconds(5)));
            // The abstract name is exact: a longer or shorter one is another socket.
            assertFalse(ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", name + "x")).status("elsewhere"));
            assertEquals(Optional.empty(), systemd.receive(Duration.ofMillis(50)));
        }
    }

    @Test
    void withoutNotifySocketNothingHappens() {
        ServiceNotifier n = ServiceNotifier.fromEnvironment(Map.of());
        assertFalse(n.enabled());
        assertFalse(n.ready("x"));
        assertFalse(ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", " ")).enabled());
    }

    @Test
    void anUnusableNotifySocketIsIgnoredAndAMissingListenerIsNotAnError() {
        assertFalse(ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "relative/notify")).enabled());
        assertFalse(ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/" + "x".repeat(200))).enabled());
        ServiceNotifier gone = ServiceNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET",
                dir.resolve("nobody-listens").toString()));
        assertTrue(gone.enabled());
        assertFalse(gone.ready("x"), "a failed send is reported, not thrown");
    }

    @Test
    void bindingABoundAddressFailsWithTheReason() throws IOException {
        Path socket = dir.resolve("taken.sock");
        try (NotifyReceiver first = NotifyReceiver.bind(socket.toString())) {
            IOException e = assertThrows(IOException.class, () -> NotifyReceiver.bind(socket.toString()));
            assertEquals("bind(" + socket + ") failed: Address already in use (errno 98)", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> NotifyReceiver.bind("a\0b"));
    }
}
