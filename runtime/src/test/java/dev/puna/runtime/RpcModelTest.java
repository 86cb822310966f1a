package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.rpc.RpcEndpoint;
import dev.puna.testkit.RpcWorker;
import dev.puna.testkit.TestModels;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model split over two llama.cpp rpc-server workers on loopback ports: the scripted model's exact output with
 * its layers on the workers, an unreachable worker refused before ggml connects, and a worker killed mid-generation
 * ending the request with an {@link RpcWorkerException} while the JVM and local models go on.
 */
class RpcModelTest {
    @TempDir
    Path dir;

    private static ModelParams onWorkers(RpcWorker... workers) {
        return ModelParams.builder().rpcServers(java.util.Arrays.stream(workers)
                .map(w -> RpcEndpoint.parse(w.endpoint())).toList()).build();
    }

    private static GenerateRequest greedy(String prompt, int maxTokens) {
        return GenerateRequest.builder().prompt(prompt).sampling(SamplingParams.greedy()).maxTokens(maxTokens).build();
    }

    @Test
    void scriptedOutputIsExactWithItsLayersOnTwoWorkers() throws Exception {
        try (RpcWorker a = RpcWorker.start(dir); RpcWorker b = RpcWorker.start(dir);
             Model model = Model.load(Models.scripted(), onWorkers(a, b));
             Session s = model.newSession(Models.session())) {
            assertEquals(TestModels.HELLO_COMPLETION, s.generate(Models.greedy(TestModels.HELLO_PROMPT)).text());
            assertEquals(TestModels.countCompletion(20), s.generate(greedy(TestModels.COUNT_PROMPT, 20)).text());
            // Both workers took part: each accepted ggml's connection.
            assertTrue(a.log().contains("Accepted client connection"), a.log());
            assertTrue(b.log().contains("Accepted client connection"), b.log());
        }
    }

    @Test
    void anUnreachableWorkerFailsTheLoadNamingIt() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        ModelParams params = ModelParams.builder().rpcServers(List.of(new RpcEndpoint("127.0.0.1", closed))).build();
        RpcWorkerException e = assertThrows(RpcWorkerException.class, () -> Model.load(Models.scripted(), params));
        assertEquals("RPC worker 127.0.0.1:" + closed + " is not reachable (is llama.cpp's rpc-server running "
                + "there?)", e.getMessage());
    }

    @Test
    void aWorkerKilledMidGenerationEndsTheRequestWithAnErrorAndLocalModelsGoOn() throws Exception {
        try (RpcWorker a = RpcWorker.start(dir); RpcWorker b = RpcWorker.start(dir)) {
            Model model = Model.load(Models.scripted(), onWorkers(a, b));
            Engine engine = Engine.start(model, EngineParams.builder().parallel(2)
                    .session(SessionParams.builder().contextSize(4096).threads(1).build()).build());
            CountDownLatch started = new CountDownLatch(1);
            AtomicInteger tokens = new AtomicInteger();
            GenerationHandle running = engine.submit(greedy(TestModels.COUNT_PROMPT, 4000), e -> {
                tokens.incrementAndGet();
                started.countDown();
            });
            assertTrue(started.await(60, TimeUnit.SECONDS));
            b.kill();
            CompletionException failed = assertThrows(CompletionException.class,
                    () -> running.result().orTimeout(30, TimeUnit.SECONDS).join());
            RpcWorkerException lost = assertInstanceOf(RpcWorkerException.class, failed.getCause());
            assertEquals("RPC worker " + b.endpoint() + " was lost: Remote RPC server crashed or returned malformed "
                    + "response", lost.getMessage());
            assertTrue(tokens.get() < 4000, "generation went on after the kill: " + tokens.get());
            // A new request on the lost model fails at once; closing returns without waiting for llama.cpp.
            assertEquals(lost.getMessage(), assertThrows(RpcWorkerException.class, () -> engine.submit(
                    greedy(TestModels.HELLO_PROMPT, 4), GenerationListener.NONE)).getMessage());
            engine.close();
            model.close();
            assertThrows(RpcWorkerException.class, () -> Engine.start(model, EngineParams.builder().build()));
            // The worker's endpoint is not used again by this process; the other one still is, and local models run.
            RpcWorkerException refused = assertThrows(RpcWorkerException.class,
                    () -> Model.load(Models.scripted(), onWorkers(b)));
            assertTrue(refused.getMessage().startsWith("RPC worker " + b.endpoint() + " was lost earlier"),
                    refused.getMessage());
            try (Model local = Model.load(Models.scripted()); Session s = local.newSession(Models.session())) {
                assertEquals(TestModels.HELLO_COMPLETION, s.generate(Models.greedy(TestModels.HELLO_PROMPT)).text());
                // The lost engine's decode thread, parked for good, does not count as computing: an idle engine
                // keeps its decode thread for its keep-alive (DecodeThreads).
                try (Engine idle = Engine.start(local, EngineParams.builder().parallel(1).promptCacheBytes(0)
                        .threadKeepAlive(Duration.ofHours(1)).session(Models.session()).build())) {
                    Thread decode = idle.onDecodeThread(Thread::currentThread);
                    EngineComputeThreadTest.awaitWaiting(decode);
                    Thread.sleep(200);
                    assertTrue(decode.isAlive(), "an idle engine let its thread go as if another computed");
                }
            }
        }
    }
}
