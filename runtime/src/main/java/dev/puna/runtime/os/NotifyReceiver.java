package dev.puna.runtime.os;

import dev.puna.runtime.internal.os.UnixDatagramSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The receiving end of {@link ServiceNotifier}'s protocol, as systemd runs it: a Unix datagram socket bound to an
 * address that can be handed to a service as {@code NOTIFY_SOCKET}. For tests of services (a fake systemd) and
 * small supervisors; Linux only.
 *
 * <p>Not thread-safe; {@link #close()} is idempotent.
 */
public final class NotifyReceiver implements AutoCloseable {
    /** Larger than any notification a service sends (systemd accepts up to its page-sized buffer). */
    private static final int MAX_DATAGRAM = 64 * 1024;

    private final UnixDatagramSocket socket;

    private NotifyReceiver(UnixDatagramSocket socket) {
        this.socket = socket;
    }

    /**
     * Binds {@code address}: an absolute path (the file must not exist yet) or {@code @name} (abstract namespace).
     *
     * @throws IllegalArgumentException for an address that cannot be a Unix socket address
     * @throws IOException when it cannot be bound (in use, no such directory, not Linux)
     */
    public static NotifyReceiver bind(String address) throws IOException {
        if (!UnixDatagramSocket.supported()) {
            throw new IOException("Unix datagram sockets are supported on Linux only");
        }
        return new NotifyReceiver(UnixDatagramSocket.bind(address));
    }

    /** The address, to pass as {@code NOTIFY_SOCKET}. */
    public String address() {
        return socket.address();
    }

    /**
     * The next notification (its {@code KEY=value} lines as sent), waiting up to {@code timeout}.
     *
     * @return the notification, or empty when none came in time
     */
    public Optional<String> receive(Duration timeout) throws IOException {
        return socket.receive(timeout, MAX_DATAGRAM).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        socket.close();
    }
}
