package dev.puna.runtime.rpc;

import dev.puna.runtime.InvalidParameterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A llama.cpp {@code rpc-server} worker, {@code host:port} as llama-server's {@code --rpc} takes it. The host is
 * a DNS name or an IPv4 address (ggml-rpc splits the endpoint at its first colon, so IPv6 literals cannot be
 * spelled).
 */
public record RpcEndpoint(String host, int port) {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?");

    public RpcEndpoint {
        if (host == null || !HOST.matcher(host).matches()) {
            throw new InvalidParameterException("rpc_servers", "invalid RPC worker host '" + host
                    + "' (a DNS name or IPv4 address)");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidParameterException("rpc_servers", "invalid RPC worker port " + port + " (1-65535)");
        }
        host = host.toLowerCase(Locale.ROOT);
    }

    /** Parses {@code host:port}. */
    public static RpcEndpoint parse(String endpoint) {
        String s = endpoint == null ? "" : endpoint.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new InvalidParameterException("rpc_servers", "invalid RPC worker '" + endpoint
                    + "': expected host:port");
        }
        String port = s.substring(colon + 1);
        if (!port.chars().allMatch(Character::isDigit) || port.length() > 5) {
            throw new InvalidParameterException("rpc_servers", "invalid RPC worker port in '" + endpoint + "'");
        }
        return new RpcEndpoint(s.substring(0, colon), Integer.parseInt(port));
    }

    /** Parses a comma-separated list ({@code host:port,host:port}); blank entries are refused, duplicates too. */
    public static List<RpcEndpoint> parseList(String endpoints) {
        List<RpcEndpoint> out = new ArrayList<>();
        if (endpoints == null || endpoints.isBlank()) {
            return out;
        }
        for (String part : endpoints.split(",", -1)) {
            RpcEndpoint e = parse(part);
            if (out.contains(e)) {
                throw new InvalidParameterException("rpc_servers", "RPC worker " + e + " is listed twice");
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
