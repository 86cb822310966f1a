package dev.puna.http.internal;

import io.vertx.core.Handler;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The DNS-rebinding guard: a page on {@code evil.example} whose name is made to resolve to this server makes the
 * user's browser send {@code Host: evil.example}, and same-origin requests after the rebinding carry no
 * {@code Origin}, so only the Host header tells them apart. A request passes when the host part of its Host header
 * (or HTTP/2 {@code :authority}) is {@code localhost}, a loopback IP literal, the address the server is bound to
 * (for a wildcard bind, any IP literal of this machine's interfaces), or a name in {@code PUNA_ALLOWED_HOSTS}
 * ({@code name}, or {@code *.domain} for its subdomains); anything else, an empty host ({@code Host: :11434}) and a
 * missing header included, is a 403 in the owning family's format. Checked on every bind address, loopback or not;
 * {@code PUNA_ALLOWED_HOSTS=*} turns the check off (behind a proxy that checks Host itself).
 */
final class HostCheck implements Handler<RoutingContext> {
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f]*:[0-9a-f:.]*(%[0-9a-z._-]+)?");

    private final boolean off;
    private final Set<String> names = new HashSet<>();
    private final List<String> suffixes;
    private final Set<InetAddress> addresses = new HashSet<>();
    private final Function<RoutingContext, ErrorRenderer> renderer;

    /**
     * @param boundHost the configured listen host ({@code PUNA_HOST}'s host part)
     * @param allowed {@code PUNA_ALLOWED_HOSTS}
     */
    HostCheck(String boundHost, List<String> allowed, Function<RoutingContext, ErrorRenderer> renderer) {
        this.renderer = renderer;
        this.off = allowed.contains("*");
        names.add("localhost");
        List<String> suffixList = new ArrayList<>();
        for (String a : allowed) {
            String name = normalize(a);
            if (name.startsWith("*.")) {
                suffixList.add(name.substring(1));
            } else {
                names.add(name);
                literal(name).ifPresent(addresses::add);
            }
        }
        this.suffixes = List.copyOf(suffixList);
        String bound = normalize(boundHost);
        names.add(bound);
        InetAddress boundAddress = literal(bound).orElse(null);
        if (boundAddress != null) {
            addresses.add(boundAddress);
            if (boundAddress.isAnyLocalAddress()) {
                addresses.addAll(interfaceAddresses());
            }
        }
    }

    @Override
    public void handle(RoutingContext rc) {
        if (off) {
            rc.next();
            return;
        }
        String header = rc.request().getHeader("Host");
        if (header == null) {
            HostAndPort authority = rc.request().authority();
            header = authority == null ? null
                    : (authority.host().contains(":") && !authority.host().startsWith("[")
                    ? "[" + authority.host() + "]" : authority.host()) + ":" + authority.port();
        }
        if (allows(header)) {
            rc.next();
            return;
        }
        String shown = header == null ? "missing" : "'" + (header.length() > 100 ? header.substring(0, 100) + "..."
                : header) + "'";
        Responses.fail(rc, ApiException.forbidden("forbidden: the Host header " + shown + " is not an allowed "
                + "name for this server (localhost, a loopback address, the listen address, or one of "
                + "PUNA_ALLOWED_HOSTS)"), renderer.apply(rc));
    }

    /** Whether a request with this {@code Host} header value (null: none) may pass. */
    boolean allows(String hostHeader) {
        if (off) {
            return true;
        }
        if (hostHeader == null) {
            return false;
        }
        String host = hostPart(hostHeader.strip());
        if (host == null || host.isEmpty()) {
            return false;
        }
        host = normalize(host);
        if (names.contains(host)) {
            return true;
        }
        for (String suffix : suffixes) {
            if (host.endsWith(suffix) && host.length() > suffix.length()) {
                return true;
            }
        }
        InetAddress a = literal(host).orElse(null);
        return a != null && (a.isLoopbackAddress() || addresses.contains(a));
    }

    /** The host of {@code host[:port]} or {@code [v6][:port]}; null when malformed. */
    static String hostPart(String hostHeader) {
        if (hostHeader.startsWith("[")) {
            int close = hostHeader.indexOf(']');
            if (close < 0) {
                return null;
            }
            String rest = hostHeader.substring(close + 1);
            if (!rest.isEmpty() && !rest.matches(":[0-9]*")) {
                return null;
            }
            return hostHeader.substring(1, close);
        }
        int colon = hostHeader.indexOf(':');
        if (colon >= 0 && hostHeader.indexOf(':', colon + 1) >= 0) {
            return null; // an IPv6 address must be in brackets
        }
        if (colon >= 0 && !hostHeader.substring(colon + 1).matches("[0-9]*")) {
            return null;
        }
        return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
    }

    private static String normalize(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** The address an IP literal names, without any DNS lookup; empty for a name. */
    static Optional<InetAddress> literal(String host) {
        try {
            if (IPV4.matcher(host).matches()) {
                String[] parts = host.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) {
                        return Optional.empty();
                    }
                    bytes[i] = (byte) octet;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            if (IPV6.matcher(host).matches()) {
                // In brackets the JDK parses an IPv6 literal or fails; it never falls back to a DNS lookup.
                return Optional.of(InetAddress.getByName("[" + host + "]"));
            }
        } catch (UnknownHostException e) {
            // not a valid literal
        }
        return Optional.empty();
    }

    private static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                out.addAll(Collections.list(ni.getInetAddresses()));
            }
        } catch (SocketException e) {
            // no interface list: only loopback, the listen address and PUNA_ALLOWED_HOSTS pass
        }
        return out;
    }
}
