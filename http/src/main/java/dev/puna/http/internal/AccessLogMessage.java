package dev.puna.http.internal;

import org.apache.logging.log4j.message.MapMessage;

/**
 * One access-log line as a Log4j {@link MapMessage}: typed fields ({@code method}, {@code path}, {@code route},
 * {@code status}, {@code duration_ms}, {@code model}, {@code prompt_tokens}, {@code eval_tokens},
 * {@code request_id}, {@code error}) that a JSON layout writes as members of their own (numbers as numbers), and
 * the human-readable line {@code POST /api/generate model=... status=200 ...} as its formatted message, for
 * pattern layouts.
 *
 * <p>It holds only what the server decided to log: never a body, a query string or a header.
 */
final class AccessLogMessage extends MapMessage<AccessLogMessage, Object> {
    private static final long serialVersionUID = 1L;

    private final String line;

    AccessLogMessage(String method, String path, String route, int status, double durationMs, String model,
                     int promptTokens, int evalTokens, String requestId, String error) {
        super(10);
        with("method", method);
        with("path", path);
        with("route", route);
        with("status", status);
        with("duration_ms", Math.round(durationMs * 10) / 10.0);
        with("model", model);
        with("prompt_tokens", promptTokens);
        with("eval_tokens", evalTokens);
        with("request_id", requestId);
        if (error != null) {
            with("error", error);
        }
        this.line = method + " " + path + " model=" + model + " status=" + status + " prompt_tokens=" + promptTokens
                + " eval_tokens=" + evalTokens + " duration_ms="
                + String.format(java.util.Locale.ROOT, "%.1f", durationMs)
                + (error == null ? "" : " error=\"" + error + "\"") + " request_id=" + requestId;
    }

    @Override
    public String getFormattedMessage() {
        return line;
    }

    @Override
    public void formatTo(StringBuilder buffer) {
        buffer.append(line);
    }
}
