package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.os.NotifyReceiver;
import dev.puna.store.ModelStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code puna serve} under a fake systemd: a real process given {@code NOTIFY_SOCKET} (an abstract socket, and a
 * path socket) sends {@code READY=1} once it listens and {@code STOPPING=1} when SIGTERM begins the shutdown, and
 * nothing else.
 */
@Timeout(180)
class ServeNotifyTest {
    @TempDir
    Path dir;

    @Test
    void readyOnceListeningAndStoppingOnSigtermOverAnAbstractSocket() throws Exception {
        readyAndStopping("@puna-serve-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    @Test
    void readyOnceListeningAndStoppingOnSigtermOverAPathSocket() throws Exception {
        readyAndStopping(dir.resolve("notify.sock").toString());
    }

    private void readyAndStopping(String address) throws Exception {
        ModelStore.open(dir.resolve("models"));
        try (NotifyReceiver systemd = NotifyReceiver.bind(address);
             ServeProcess serve = ServeProcess.start(dir.resolve("models"), Map.of("NOTIFY_SOCKET", address,
                     "PUNA_SHUTDOWN_TIMEOUT", "7s"))) {
            // The server printed its address before it notified: READY=1 means it listens.
            assertEquals(Optional.of("READY=1\nSTATUS=listening on " + serve.url()),
                    systemd.receive(Duration.ofSeconds(30)));
            serve.sigterm();
            assertEquals(Optional.of("STOPPING=1\nSTATUS=draining for up to 7 s"),
                    systemd.receive(Duration.ofSeconds(30)));
            assertEquals(0, serve.awaitExit(Duration.ofSeconds(60)), serve.stderr());
            assertEquals(Optional.empty(), systemd.receive(Duration.ofMillis(100)));
            assertTrue(serve.stderr().contains("stopped"), serve.stderr());
        }
    }
}
