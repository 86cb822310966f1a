/**
 * What a server process needs from the operating system beyond the JDK: {@link dev.puna.runtime.os.ServiceNotifier}
 * reports readiness to systemd ({@code sd_notify}) over a Unix datagram socket, which Java cannot open itself, and
 * {@link dev.puna.runtime.os.NotifyReceiver} is the receiving end, for tests and supervisors. The native calls stay
 * inside the runtime module; nothing here exposes a {@code MemorySegment}.
 */
package dev.puna.runtime.os;
