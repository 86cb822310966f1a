package dev.puna.runtime.os;

import dev.puna.runtime.internal.os.UnixDatagramSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Tells a service manager how the service is doing, with systemd's {@code sd_notify(3)} protocol: a datagram of
 * {@code KEY=value} lines to the Unix socket named by {@code NOTIFY_SOCKET} (a path, or {@code @name} in the
 * abstract namespace). A unit with {@code Type=notify} counts as started once it receives {@code READY=1}, and
 * shows {@code STATUS=} in {@code systemctl status}.
 *
 * <p>Without {@code NOTIFY_SOCKET} (not started by systemd, or on another OS) the notifier is
 * {@linkplain #enabled() disabled} and every call does nothing. A failing send is logged, never thrown: a service
 * must not stop because its supervisor's socket went away.
 *
 * <p>Thread-safe; each notification opens, uses and closes a socket of its own, as {@code sd_notify} does.
 */
public final class ServiceNotifier {
    private static final Logger LOG = LogManager.getLogger(ServiceNotifier.class);
    private static final ServiceNotifier NONE = new ServiceNotifier(null);

    private final String address;

    private ServiceNotifier(String address) {
        this.address = address;
    }

    /** A notifier that sends nothing. */
    public static ServiceNotifier none() {
        return NONE;
    }

    /**
     * The notifier for {@code env}'s {@code NOTIFY_SOCKET} (pass {@code System.getenv()}): disabled when it is unset
     * or blank, or, with a warning, when it is not an absolute path or {@code @name}, or the OS is not Linux.
     */
    public static ServiceNotifier fromEnvironment(Map<String, String> env) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isBlank()) {
            return NONE;
        }
        if (!UnixDatagramSocket.supported()) {
            LOG.warn("ignoring NOTIFY_SOCKET: sd_notify is supported on Linux only");
            return NONE;
        }
        if (!socket.startsWith("/") && !socket.startsWith("@")) {
            LOG.warn("ignoring NOTIFY_SOCKET '{}': expected an absolute path or @name", socket);
            return NONE;
        }
        try {
            UnixDatagramSocket.checkAddress(socket);
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring NOTIFY_SOCKET: {}", e.getMessage());
            return NONE;
        }
        return new ServiceNotifier(socket);
    }

    /** Whether notifications go anywhere. */
    public boolean enabled() {
        return address != null;
    }

    /** {@code READY=1}: start-up is complete (the server listens), with a status line. */
    public boolean ready(String status) {
        return send("READY=1\nSTATUS=" + line(status));
    }

    /** {@code STOPPING=1}: the service began shutting down, with a status line. */
    public boolean stopping(String status) {
        return send("STOPPING=1\nSTATUS=" + line(status));
    }

    /** {@code STATUS=...}: free text for {@code systemctl status}. */
    public boolean status(String status) {
        return send("STATUS=" + line(status));
    }

    /**
     * Sends {@code state} ({@code KEY=value} lines) as one datagram.
     *
     * @return whether it was sent (false when disabled or when sending failed, which is logged)
     */
    public boolean send(String state) {
        Objects.requireNonNull(state, "state");
        if (address == null) {
            return false;
        }
        try (UnixDatagramSocket s = UnixDatagramSocket.connectTo(address)) {
            s.send(state.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot notify the service manager at {}: {}", address, e.getMessage());
            return false;
        }
    }

    private static String line(String status) {
        return status.replace('\n', ' ').replace('\r', ' ');
    }
}
