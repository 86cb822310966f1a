package dev.puna.runtime.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.puna.bindings.Callbacks;
import dev.puna.bindings.GgmlRpc;
import dev.puna.runtime.RpcWorkerException;
import dev.puna.runtime.rpc.RpcEndpoint;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The process's llama.cpp RPC workers: connecting ggml to them, and surviving their loss.
 *
 * <p>ggml-rpc has no error path: when a worker's connection breaks (the worker died, the network went), it calls
 * {@code GGML_ABORT}, which ends the process. Puna installs ggml's abort hook the first time a model uses RPC.
 * For an abort raised in ggml-rpc the hook works out which workers are gone (those that no longer accept a TCP
 * connection; all in use when every one still does), fails every {@link RpcLink} on them, so their requests end
 * with an {@link RpcWorkerException}, and then never returns: the aborting thread (ggml-rpc's connection thread,
 * or the thread that was connecting) is parked for the life of the process instead of aborting it. The native
 * state of the models on a lost worker cannot be unwound (their buffers live on the worker, and freeing them
 * would wait on the broken connection), so it is left allocated, and the worker's endpoint is not used again by
 * this process: ggml keeps its broken connection per endpoint. Aborts from anywhere else go on to abort the
 * process as before.
 */
public final class RpcWorkers {
    private static final Logger LOG = LogManager.getLogger(RpcWorkers.class);
    /** How long a worker may take to accept a connection before a load calls it unreachable. */
    private static final int CONNECT_TIMEOUT_MS = 3000;
    /** After an abort, how long a worker may take to accept before it counts as lost. */
    private static final int LOST_PROBE_TIMEOUT_MS = 500;
    /** Probe rounds while every worker still accepts, 100 ms apart (on an abort path only). */
    private static final int LOST_PROBE_ROUNDS = 2;
    private static final long LOST_PROBE_PAUSE_NANOS = 100_000_000L;

    private static final Set<RpcLink> LINKS = ConcurrentHashMap.newKeySet();
    private static final Set<RpcEndpoint> LOST = ConcurrentHashMap.newKeySet();
    /**
     * Workers that answer but stay connected to a model that lost another worker: rpc-server serves one client at
     * a time, and that client's connection cannot be closed from outside ggml-rpc.
     */
    private static final Set<RpcEndpoint> HELD = ConcurrentHashMap.newKeySet();
    private static boolean hooked;

    private RpcWorkers() {
    }

    /**
     * Checks, before ggml connects (which aborts the process when it cannot), that each worker was not lost earlier
     * in this process and accepts a TCP connection.
     *
     * @throws RpcWorkerException naming the first worker that fails
     */
    static void requireReachable(List<RpcEndpoint> endpoints) {
        for (RpcEndpoint e : endpoints) {
            if (LOST.contains(e)) {
                throw new RpcWorkerException("RPC worker " + e + " was lost earlier; restart Puna to use it again "
                        + "(llama.cpp keeps its broken connection)");
            }
        }
        for (RpcEndpoint e : endpoints) {
            if (HELD.contains(e)) {
                throw new RpcWorkerException("RPC worker " + e + " is still connected to a model that lost another "
                        + "worker (rpc-server serves one client at a time); restart Puna to use it again");
            }
        }
        for (RpcEndpoint e : endpoints) {
            // A worker a loaded model already talks to is not probed: rpc-server serves one client at a time and
            // would leave the probe queued behind ggml's connection (its listen backlog is one).
            if (!connected(e) && !accepts(e, CONNECT_TIMEOUT_MS)) {
                throw new RpcWorkerException("RPC worker " + e + " is not reachable (is llama.cpp's rpc-server "
                        + "running there?)");
            }
        }
    }

    /**
     * Registers the workers with ggml (connecting to each) and returns their devices, in order, as the
     * NULL-terminated {@code ggml_backend_dev_t} array {@code llama_model_params.devices} takes, allocated in
     * {@code arena}. Run on a thread the caller can afford to lose (see the class comment).
     */
    public static MemorySegment devices(List<RpcEndpoint> endpoints, Arena arena) {
        installHook();
        List<MemorySegment> devices = new ArrayList<>();
        for (RpcEndpoint e : endpoints) {
            MemorySegment reg = GgmlRpc.ggml_backend_rpc_add_server(arena.allocateFrom(e.toString()));
            if (reg.equals(MemorySegment.NULL)) {
                throw new RpcWorkerException("RPC worker " + e + " reports no devices");
            }
            long n = GgmlRpc.ggml_backend_reg_dev_count(reg);
            for (long i = 0; i < n; i++) {
                devices.add(GgmlRpc.ggml_backend_reg_dev_get(reg, i));
            }
        }
        MemorySegment array = arena.allocate(ADDRESS, devices.size() + 1L);
        for (int i = 0; i < devices.size(); i++) {
            array.setAtIndex(ADDRESS, i, devices.get(i));
        }
        array.setAtIndex(ADDRESS, devices.size(), MemorySegment.NULL);
        return array;
    }

    static void register(RpcLink link) {
        LINKS.add(link);
    }

    static void deregister(RpcLink link) {
        LINKS.remove(link);
    }

    private static synchronized void installHook() {
        if (!hooked) {
            Callbacks.installAbortHook(RpcWorkers::aborting);
            hooked = true;
        }
    }

    private static void aborting(String message) {
        if (message == null || !message.contains("ggml-rpc")) {
            return; // not ggml-rpc's: the process aborts as it always has
        }
        Set<RpcEndpoint> inUse = new LinkedHashSet<>();
        for (RpcLink link : LINKS) {
            inUse.addAll(link.endpoints());
        }
        // A worker whose process died refuses the connection at once; one that only stops answering (its machine
        // gone) times out, and so may a live one: rpc-server serves one client at a time with a listen backlog of
        // one, so a worker busy with this process can leave a probe unanswered. Refusals decide first.
        // A worker that is being killed can still accept for a moment after our connection to it broke. So when
        // every worker accepts, they are probed once more a little later: only once, because each probe of a busy
        // worker stays in its accept queue (rpc-server listens with a backlog of one), and a full queue would make a
        // live worker look silent.
        Set<RpcEndpoint> refused = new LinkedHashSet<>();
        Set<RpcEndpoint> silent = new LinkedHashSet<>();
        for (int round = 0; round < LOST_PROBE_ROUNDS && refused.isEmpty() && silent.isEmpty(); round++) {
            if (round > 0) {
                LockSupport.parkNanos(LOST_PROBE_PAUSE_NANOS);
            }
            for (RpcEndpoint e : inUse) {
                switch (probe(e, LOST_PROBE_TIMEOUT_MS)) {
                    case REFUSED -> refused.add(e);
                    case SILENT -> silent.add(e);
                    case ACCEPTS -> { }
                }
            }
        }
        // Every worker answers: a protocol failure, and nothing says whose.
        Set<RpcEndpoint> gone = !refused.isEmpty() ? refused : !silent.isEmpty() ? silent : inUse;
        LOST.addAll(gone);
        String reason = message.substring(message.indexOf(": ") + 2).strip();
        LOG.error("RPC worker(s) {} lost ({}): requests on models split over them fail, and those models must be "
                + "loaded again on workers that answer", gone, reason);
        for (RpcLink link : LINKS) {
            List<RpcEndpoint> hit = link.endpoints().stream().filter(gone::contains).toList();
            if (!hit.isEmpty()) {
                link.endpoints().stream().filter(e -> !gone.contains(e)).forEach(HELD::add);
                link.lose(new RpcWorkerException("RPC worker " + hit.get(0) + " was lost: " + reason));
            }
        }
        // Returning would let ggml abort the process; this thread's native frames cannot be unwound.
        while (true) {
            LockSupport.park(RpcWorkers.class);
        }
    }

    private static boolean connected(RpcEndpoint e) {
        return LINKS.stream().anyMatch(l -> l.lost() == null && l.endpoints().contains(e));
    }

    private enum Probe { ACCEPTS, REFUSED, SILENT }

    private static boolean accepts(RpcEndpoint e, int timeoutMs) {
        return probe(e, timeoutMs) == Probe.ACCEPTS;
    }

    private static Probe probe(RpcEndpoint e, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(e.host(), e.port()), timeoutMs);
            return Probe.ACCEPTS;
        } catch (ConnectException ex) {
            return Probe.REFUSED;
        } catch (IOException ex) {
            return Probe.SILENT;
        }
    }
}
