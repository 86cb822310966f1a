package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from PEM files: a self-signed certificate made here with the JDK's keytool, the official OpenAI Java SDK
 * trusting it, HTTP/2 and HTTP/1.1 through ALPN, and start-up refusing missing, malformed and mismatched files.
 */
@Timeout(180)
class TlsTest {
    @TempDir
    static Path dir;
    private static Pem pem;
    private static ScriptedServer server;
    private static SSLContext trusting;
    private static X509TrustManager trustManager;

    /** A certificate, its key and a keystore holding both. */
    record Pem(Path cert, Path key, KeyStore store) {
    }

    /** A throwaway EC P-256 certificate for localhost and 127.0.0.1, valid for two days. */
    static Pem selfSigned(Path dir, String name) throws Exception {
        Path p12 = dir.resolve(name + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "puna", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", p12.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true)
                .start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, keytool.exitValue(), output);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        Certificate cert = ks.getCertificate("puna");
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", ks.getKey("puna", "changeit".toCharArray()).getEncoded()));
        return new Pem(certFile, keyFile, ks);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @BeforeAll
    static void start() throws Exception {
        pem = selfSigned(dir, "server");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("puna", pem.store().getCertificate("puna"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trustManager = (X509TrustManager) tmf.getTrustManagers()[0];
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, new javax.net.ssl.TrustManager[] {trustManager}, null);
        server = new ScriptedServer(ServerConfig.builder().tlsCert(pem.cert()).tlsKey(pem.key()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theUrlSaysHttps() {
        assertEquals("https://127.0.0.1:" + server.server.port(), server.server.url());
    }

    @Test
    void theOfficialOpenAiClientChatsOverHttps() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.server.url() + "/v1").apiKey("unused")
                .sslSocketFactory(trusting.getSocketFactory()).trustManager(trustManager).maxRetries(0).build();
        try {
            ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("scripted").addUserMessage("Hello").temperature(0.0).build());
            assertEquals(TestModels.CHAT_COMPLETION, c.choices().getFirst().message().content().orElseThrow());
            assertTrue(client.models().list().data().stream().anyMatch(m -> m.id().equals("scripted:latest")));
        } finally {
            client.close();
        }
    }

    @Test
    void http2AndHttp11AreBothOfferedThroughAlpn() throws Exception {
        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting).version(version)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.server.url()
                    + "/api/version")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(version, r.version());
            assertTrue(r.body().startsWith("{\"version\":"), r.body());
            HttpResponse<String> generate = client.send(HttpRequest.newBuilder(URI.create(server.server.url()
                    + "/api/generate")).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"scripted\",\"prompt\":\"" + TestModels.COUNT_PROMPT + "\",\"raw\":true,"
                            + "\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":3}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, generate.statusCode(), generate.body());
            assertEquals(version, generate.version());
            assertEquals(TestModels.countCompletion(3), Http.JSON.readTree(generate.body()).get("response").asText());
        }
    }

    @Test
    void anHttp2RequestInFlightOutlivesTheHeaderAndIdleTimeouts() throws Exception {
        try (ScriptedServer strict = new ScriptedServer(ServerConfig.builder().tlsCert(pem.cert()).tlsKey(pem.key())
                .headerTimeout(Duration.ofMillis(800)).idleTimeout(Duration.ofMillis(800)))) {
            byte[] body = "{\"model\":\"nonexistent-model\",\"prompt\":\"x\"}".getBytes();
            // The body trickles in over about 2.5 s: longer than both timeouts, which apply only while no request runs.
            InputStream slow = new InputStream() {
                private int at;

                @Override
                public int read() throws IOException {
                    if (at == body.length) {
                        return -1;
                    }
                    try {
                        Thread.sleep(2500 / body.length);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    return body[at++];
                }
            };
            HttpClient client = HttpClient.newBuilder().sslContext(trusting).version(HttpClient.Version.HTTP_2)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(strict.server.url()
                    + "/api/generate")).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers
                    .ofInputStream(() -> slow)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals(404, r.statusCode(), r.body());
        }
    }

    private static ServerConfigException refused(ServerConfig.Builder b) {
        return assertThrows(ServerConfigException.class, () -> PunaServer.start(b.port(0).build(), new TestCatalog()));
    }

    @Test
    void missingMalformedAndMismatchedFilesStopStartup() throws Exception {
        Path missing = dir.resolve("missing.crt");
        ServerConfigException e = refused(ServerConfig.builder().tlsCert(missing).tlsKey(pem.key()));
        assertEquals("PUNA_TLS_CERT", e.setting());
        assertEquals("PUNA_TLS_CERT: cannot read '" + missing + "': java.nio.file.NoSuchFileException: " + missing,
                e.getMessage());

        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        e = refused(ServerConfig.builder().tlsCert(garbage).tlsKey(pem.key()));
        assertEquals("PUNA_TLS_CERT: '" + garbage + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                e.getMessage());

        Path broken = Files.writeString(dir.resolve("broken.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n"
                + "-----END CERTIFICATE-----\n");
        e = refused(ServerConfig.builder().tlsCert(broken).tlsKey(pem.key()));
        assertTrue(e.getMessage().startsWith("PUNA_TLS_CERT: '" + broken + "' holds no valid PEM certificate: "),
                e.getMessage());

        e = refused(ServerConfig.builder().tlsCert(pem.cert()).tlsKey(garbage));
        assertEquals("PUNA_TLS_KEY", e.setting());
        assertTrue(e.getMessage().startsWith("PUNA_TLS_KEY: '" + garbage + "' holds no usable PEM private key"),
                e.getMessage());

        Path unreadable = dir.resolve("missing.key");
        e = refused(ServerConfig.builder().tlsCert(pem.cert()).tlsKey(unreadable));
        assertTrue(e.getMessage().startsWith("PUNA_TLS_KEY: cannot read '" + unreadable + "'"), e.getMessage());

        Pem other = selfSigned(dir, "other");
        e = refused(ServerConfig.builder().tlsCert(pem.cert()).tlsKey(other.key()));
        assertEquals("PUNA_TLS_KEY: the private key in '" + other.key() + "' does not belong to the certificate in '"
                + pem.cert() + "' (PUNA_TLS_CERT)", e.getMessage());

        ServerConfigException half = assertThrows(ServerConfigException.class,
                () -> ServerConfig.builder().tlsCert(pem.cert()).build());
        assertEquals("PUNA_TLS_KEY: HTTPS needs both PUNA_TLS_CERT and PUNA_TLS_KEY; PUNA_TLS_KEY is not set",
                half.getMessage());
    }

    @Test
    void plainHttpToTheTlsPortGetsNoAnswer() throws IOException {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.server.port() + "/api/version")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()));
    }
}
