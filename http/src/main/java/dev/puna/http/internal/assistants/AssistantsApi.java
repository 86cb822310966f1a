package dev.puna.http.internal.assistants;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.stateful.Replies;
import dev.puna.http.internal.stateful.StateService;
import dev.puna.http.internal.stateful.TurnRunner;
import dev.puna.state.Collection;
import dev.puna.state.Document;
import dev.puna.state.Transaction;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * OpenAI's Assistants API v2 ({@code OpenAI-Beta: assistants=v2}, accepted but not required): assistants, threads,
 * messages, runs and run steps, stored in the server's state database ({@link StateService}) and executed on the
 * shared serving engine ({@link RunExecutor}). Routes go under each prefix the OpenAI family serves ({@code /v1} and
 * the bare paths); errors are OpenAI's, 404 for an unknown id and 400 for a state conflict (never 409, which the SDKs
 * retry).
 */
public final class AssistantsApi {
    /** How long node's pollers wait before asking for a run again, instead of their 5 s default. */
    static final String POLL_AFTER_MS = "200";

    private final ServerContext sc;
    private final StateService state;
    private final RunExecutor executor;

    public AssistantsApi(ServerContext sc, StateService state, TurnRunner turns) {
        this.sc = sc;
        this.state = state;
        this.executor = new RunExecutor(state, turns);
        state.register(new RunRecovery());
    }

    /** Adds the routes under {@code prefix} ({@code /v1} or {@code ""}). */
    public void register(Router router, String prefix) {
        AssistantRoutes assistants = new AssistantRoutes(this);
        ThreadRoutes threads = new ThreadRoutes(this);
        RunRoutes runs = new RunRoutes(this);
        String a = prefix + "/assistants";
        router.route(HttpMethod.POST, a).handler(assistants::create);
        router.route(HttpMethod.GET, a).handler(assistants::list);
        router.route(HttpMethod.GET, a + "/:assistant_id").handler(assistants::retrieve);
        router.route(HttpMethod.POST, a + "/:assistant_id").handler(assistants::modify);
        router.route(HttpMethod.DELETE, a + "/:assistant_id").handler(assistants::delete);
        String t = prefix + "/threads";
        router.route(HttpMethod.POST, t).handler(threads::create);
        // Before /threads/:thread_id, which would take "runs" for a thread id.
        router.route(HttpMethod.POST, t + "/runs").handler(runs::createThreadAndRun);
        router.route(HttpMethod.GET, t + "/:thread_id").handler(threads::retrieve);
        router.route(HttpMethod.POST, t + "/:thread_id").handler(threads::modify);
        router.route(HttpMethod.DELETE, t + "/:thread_id").handler(threads::delete);
        String m = t + "/:thread_id/messages";
        router.route(HttpMethod.POST, m).handler(threads::createMessage);
        router.route(HttpMethod.GET, m).handler(threads::listMessages);
        router.route(HttpMethod.GET, m + "/:message_id").handler(threads::retrieveMessage);
        router.route(HttpMethod.POST, m + "/:message_id").handler(threads::modifyMessage);
        router.route(HttpMethod.DELETE, m + "/:message_id").handler(threads::deleteMessage);
        String r = t + "/:thread_id/runs";
        router.route(HttpMethod.POST, r).handler(runs::create);
        router.route(HttpMethod.GET, r).handler(runs::list);
        router.route(HttpMethod.GET, r + "/:run_id").handler(runs::retrieve);
        router.route(HttpMethod.POST, r + "/:run_id").handler(runs::modify);
        router.route(HttpMethod.POST, r + "/:run_id/cancel").handler(runs::cancel);
        router.route(HttpMethod.POST, r + "/:run_id/submit_tool_outputs").handler(runs::submitToolOutputs);
        router.route(HttpMethod.GET, r + "/:run_id/steps").handler(runs::listSteps);
        router.route(HttpMethod.GET, r + "/:run_id/steps/:step_id").handler(runs::retrieveStep);
    }

    /** The bare paths (without {@code /v1}) whose errors are OpenAI's. */
    public static Set<String> barePaths() {
        return Set.of("/assistants", "/threads");
    }

    ServerContext sc() {
        return sc;
    }

    StateService state() {
        return state;
    }

    RunExecutor executor() {
        return executor;
    }

    static void respond(RoutingContext rc, Future<ObjectNode> result) {
        Replies.respond(rc, result);
    }

    static void noRetryOnServerError(RoutingContext rc) {
        Replies.noRetryOnServerError(rc);
    }

    static String write(ObjectNode o) {
        return Replies.write(o);
    }

    /** OpenAI's 404 for an unknown object: {@code No thread found with id 'thread_x'.} */
    static ApiException notFound(String kind, String id) {
        return ApiException.notFound("No " + kind + " found with id '" + id + "'.");
    }

    /** The object, or OpenAI's 404. */
    static Document require(Transaction tx, Collection c, String parentId, String id, String kind) {
        if (!dev.puna.http.internal.stateful.PathIds.isWellFormed(id)) {
            throw notFound(kind, id);
        }
        return tx.get(c, parentId, id).orElseThrow(() -> notFound(kind, id));
    }

    /** The object locked for a change, or OpenAI's 404. */
    static Document lock(Transaction tx, Collection c, String parentId, String id, String kind) {
        if (!dev.puna.http.internal.stateful.PathIds.isWellFormed(id)) {
            throw notFound(kind, id);
        }
        return tx.lock(c, parentId, id).orElseThrow(() -> notFound(kind, id));
    }

    /** What the maintenance does with runs whose server is gone or whose tool outputs never came. */
    private static final class RunRecovery implements StateService.Recovery {
        @Override
        public Collection collection() {
            return Collection.RUNS;
        }

        @Override
        public Set<String> executingStatuses() {
            return RunStates.EXECUTING;
        }

        @Override
        public String cancelStatus() {
            return "cancelling";
        }

        @Override
        public String expiringStatus() {
            return "requires_action";
        }

        @Override
        public void orphaned(Transaction tx, Document job, String why) {
            RunStates.fail(tx, job, "server_error", why);
        }

        @Override
        public void expired(Transaction tx, Document job) {
            RunStates.expire(tx, job);
        }
    }
}
