package dev.puna.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.ServerConfig;

/**
 * The per-request ceilings of both API families, from {@link ServerConfig} ({@code PUNA_MAX_NUM_CTX},
 * {@code PUNA_MAX_NUM_PREDICT}, {@code PUNA_MAX_CHOICES}, {@code PUNA_MAX_STOP}, {@code PUNA_MAX_TOOLS},
 * {@code PUNA_MAX_IMAGES}): checked while a request is read, before any model is loaded or memory is sized from a
 * request's numbers, each a 400 that names the field, the limit and its setting.
 */
public record RequestLimits(int maxNumCtx, int maxNumPredict, int maxChoices, int maxStop, int maxTools,
                            int maxImages) {
    /** The defaults of {@link ServerConfig}. */
    public static final RequestLimits DEFAULTS = of(ServerConfig.defaults());

    /** The limits {@code config} sets. */
    public static RequestLimits of(ServerConfig config) {
        return new RequestLimits(config.maxNumCtx(), config.maxNumPredict(), config.maxChoices(), config.maxStop(),
                config.maxTools(), config.maxImages());
    }

    /** Refuses more than {@link #maxChoices} choices. */
    public void checkChoices(String field, int n) {
        if (n > maxChoices) {
            throw ApiException.badParameter(field, "\"" + field + "\" must be at most " + maxChoices
                    + " (PUNA_MAX_CHOICES), got " + n);
        }
    }

    /** Refuses more than {@link #maxStop} stop sequences. */
    public void checkStop(String field, int count) {
        if (count > maxStop) {
            throw ApiException.badParameter(field, "\"" + field + "\" takes at most " + maxStop + " sequences "
                    + "(PUNA_MAX_STOP), got " + count);
        }
    }

    /** Refuses a {@code tools} array with more than {@link #maxTools} entries ({@code null}: none). */
    public void checkTools(String field, JsonNode tools) {
        if (tools != null && tools.isArray() && tools.size() > maxTools) {
            throw ApiException.badParameter(field, "\"" + field + "\" takes at most " + maxTools + " tools "
                    + "(PUNA_MAX_TOOLS), got " + tools.size());
        }
    }

    /** Refuses more than {@link #maxImages} images in one request. */
    public void checkImages(String field, int count) {
        if (count > maxImages) {
            throw ApiException.badParameter(field, "a request takes at most " + maxImages + " images "
                    + "(PUNA_MAX_IMAGES), got " + count);
        }
    }

    /** Refuses a token limit above {@link #maxNumPredict}. */
    public void checkNumPredict(String field, int n) {
        if (n > maxNumPredict) {
            throw ApiException.badParameter(field, "\"" + field + "\" must be at most " + maxNumPredict
                    + " (PUNA_MAX_NUM_PREDICT), got " + n);
        }
    }
}
