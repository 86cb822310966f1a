package dev.puna.runtime.internal.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A Unix-domain datagram socket through libc ({@code socket(AF_UNIX, SOCK_DGRAM)}, {@code sendto}, {@code bind},
 * {@code poll}, {@code recv}), which Java's channels do not offer (JEP 380 covers stream sockets only). It is what
 * systemd's {@code sd_notify} protocol runs over. Linux only: the constants and {@code struct sockaddr_un} are
 * Linux's.
 *
 * <p>Addresses are written as {@code NOTIFY_SOCKET} writes them: a file system path, or {@code @name} for a
 * socket in the abstract namespace (its first byte NUL, its length exact, no terminator).
 *
 * <p>Not thread-safe; {@link #close()} is idempotent. Every native failure is an {@link IOException} naming the
 * call and {@code errno}.
 */
@SuppressWarnings("restricted")
public final class UnixDatagramSocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final short POLLIN = 1;
    private static final int EINTR = 4;
    /** {@code sizeof(((struct sockaddr_un *) 0)->sun_path)} on Linux. */
    private static final int SUN_PATH = 108;
    private static final long SA_FAMILY = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private final String address;
    private int fd;

    private UnixDatagramSocket(String address, int fd) {
        this.address = address;
        this.fd = fd;
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no '" + name + "'"));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    /** Whether this platform's sockets are the ones this class was written for (Linux). */
    public static boolean supported() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    /**
     * Checks {@code address} (a path or {@code @name}) without opening anything.
     *
     * @throws IllegalArgumentException when it is empty, holds a NUL, or does not fit {@code sun_path}
     */
    public static void checkAddress(String address) {
        encode(address);
    }

    /** The {@code sun_path} bytes of {@code address}, terminator included for a path, none for an abstract name. */
    private static byte[] encode(String address) {
        if (address == null || address.isEmpty() || address.equals("@")) {
            throw new IllegalArgumentException("empty socket address");
        }
        if (address.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("socket address contains NUL");
        }
        byte[] name = address.getBytes(StandardCharsets.UTF_8);
        byte[] path;
        if (name[0] == '@') {
            path = name.clone();
            path[0] = 0;
        } else {
            path = Arrays.copyOf(name, name.length + 1);
        }
        if (path.length > SUN_PATH) {
            throw new IllegalArgumentException("socket address longer than " + (SUN_PATH - 1) + " bytes: " + address);
        }
        return path;
    }

    /** A {@code struct sockaddr_un} for {@code path} in {@code arena}; its length is {@code 2 + path.length}. */
    private static MemorySegment sockaddr(Arena arena, byte[] path) {
        MemorySegment a = arena.allocate(SA_FAMILY + SUN_PATH, 2);
        a.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(path, 0, a, ValueLayout.JAVA_BYTE, SA_FAMILY, path.length);
        return a;
    }

    /**
     * Opens an unbound socket that sends to {@code address}.
     *
     * @throws IllegalArgumentException for an address {@link #checkAddress} refuses
     * @throws IOException when the socket cannot be created
     */
    public static UnixDatagramSocket connectTo(String address) throws IOException {
        encode(address);
        return new UnixDatagramSocket(address, open());
    }

    /**
     * Opens a socket bound to {@code address}, to receive on (a path socket's file is created by the bind and
     * must not exist yet).
     *
     * @throws IllegalArgumentException for an address {@link #checkAddress} refuses
     * @throws IOException when the socket cannot be created or bound
     */
    public static UnixDatagramSocket bind(String address) throws IOException {
        byte[] path = encode(address);
        int fd = open();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) BIND.invokeExact(state, fd, sockaddr(arena, path), (int) (SA_FAMILY + path.length));
            if (rc != 0) {
                int errno = errno(state);
                closeQuietly(fd);
                throw failure("bind(" + address + ")", errno);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            closeQuietly(fd);
            throw new IllegalStateException(t);
        }
        return new UnixDatagramSocket(address, fd);
    }

    private static int open() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("socket(AF_UNIX, SOCK_DGRAM)", errno(state));
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The address this socket sends to or is bound to. */
    public String address() {
        return address;
    }

    /**
     * Sends {@code message} as one datagram to this socket's address, without blocking.
     *
     * @throws IOException when the kernel refuses it (no listener, a full queue, a closed socket)
     */
    public void send(byte[] message) throws IOException {
        requireOpen();
        byte[] path = encode(address);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, buf, ValueLayout.JAVA_BYTE, 0, message.length);
            long sent;
            do {
                sent = (long) SENDTO.invokeExact(state, fd, buf, (long) message.length, MSG_NOSIGNAL | MSG_DONTWAIT,
                        sockaddr(arena, path), (int) (SA_FAMILY + path.length));
            } while (sent < 0 && errno(state) == EINTR);
            if (sent < 0) {
                throw failure("sendto(" + address + ")", errno(state));
            }
            if (sent != message.length) {
                throw new IOException("sendto(" + address + ") sent " + sent + " of " + message.length + " bytes");
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Waits up to {@code timeout} for a datagram and returns it (at most {@code maxBytes}; the rest of a longer
     * one is dropped, as {@code recv} does).
     *
     * @return the datagram, or empty when none came in time
     * @throws IOException when polling or receiving fails
     */
    public Optional<byte[]> receive(Duration timeout, int maxBytes) throws IOException {
        requireOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            // struct pollfd { int fd; short events; short revents; }
            MemorySegment pollfd = arena.allocate(8, 4);
            while (true) {
                pollfd.set(ValueLayout.JAVA_INT, 0, fd);
                pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
                pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                long leftMillis = Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000);
                int ready = (int) POLL.invokeExact(state, pollfd, 1L, (int) Math.min(Integer.MAX_VALUE, leftMillis));
                if (ready < 0) {
                    if (errno(state) == EINTR) {
                        continue;
                    }
                    throw failure("poll(" + address + ")", errno(state));
                }
                if (ready == 0) {
                    if (System.nanoTime() - deadline >= 0) {
                        return Optional.empty();
                    }
                    continue;
                }
                MemorySegment buf = arena.allocate(Math.max(1, maxBytes));
                long n = (long) RECV.invokeExact(state, fd, buf, (long) maxBytes, MSG_DONTWAIT);
                if (n < 0) {
                    if (errno(state) == EINTR || errno(state) == 11 /* EAGAIN */) {
                        continue;
                    }
                    throw failure("recv(" + address + ")", errno(state));
                }
                return Optional.of(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void requireOpen() throws IOException {
        if (fd < 0) {
            throw new IOException("socket " + address + " is closed");
        }
    }

    @Override
    public void close() {
        if (fd >= 0) {
            closeQuietly(fd);
            fd = -1;
        }
    }

    /** Closes {@code fd}; a failing close(2) still releases the descriptor on Linux, so there is nothing to do. */
    private static void closeQuietly(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static IOException failure(String call, int errno) {
        String text;
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            text = s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            text = "errno " + errno;
        }
        return new IOException(call + " failed: " + text + " (errno " + errno + ")");
    }
}
