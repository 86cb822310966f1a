package dev.puna.cli;

import dev.puna.runtime.LlamaCpp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code puna rpc-server}: runs llama.cpp's own rpc-server (tools/rpc, built and packaged with Puna's libraries) so
 * another machine's {@code puna serve} can put model layers here ({@code PUNA_RPC_SERVERS}). The worker has no
 * authentication and trusts every client, hence loopback by default.
 */
@Command(name = "rpc-server", mixinStandardHelpOptions = true,
        description = {"Run llama.cpp's RPC worker, which holds model layers for a puna serve elsewhere "
                + "(PUNA_RPC_SERVERS=host:port there).",
                "It has no authentication: bind it to loopback or a private network only."})
final class RpcServerCommand implements Callable<Integer> {
    @Option(names = {"-H", "--host"}, paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "50052",
            description = "Port to listen on (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "CPU threads (default: rpc-server's)")
    Integer threads;

    @Option(names = {"-d", "--device"}, paramLabel = "DEV,...", description = "Devices to serve (default: all)")
    String devices;

    @Option(names = {"-c", "--cache"}, description = "Cache tensors in a local file cache (rpc-server's -c)")
    boolean cache;

    @Override
    public Integer call() throws Exception {
        if (port < 1 || port > 65535) {
            throw new CliException("invalid port " + port + " (1-65535)");
        }
        List<String> command = new ArrayList<>(List.of(LlamaCpp.rpcServerExecutable().toString(),
                "--host", host, "--port", Integer.toString(port)));
        if (threads != null) {
            if (threads < 1) {
                throw new CliException("invalid thread count " + threads);
            }
            command.addAll(List.of("--threads", threads.toString()));
        }
        if (devices != null) {
            command.addAll(List.of("--device", devices));
        }
        if (cache) {
            command.add("--cache");
        }
        Process p = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor();
    }
}
