package dev.puna.runtime.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.puna.runtime.InvalidParameterException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RpcEndpointTest {
    @Test
    void parsesAListAsLlamaServerTakesIt() {
        assertEquals(List.of(new RpcEndpoint("127.0.0.1", 50052), new RpcEndpoint("gpu-box.lan", 50053)),
                RpcEndpoint.parseList("127.0.0.1:50052, GPU-box.lan:50053"));
        assertEquals("gpu-box.lan:50053", RpcEndpoint.parse("gpu-box.lan:50053").toString());
        assertEquals(List.of(), RpcEndpoint.parseList(" "));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "localhost|invalid RPC worker 'localhost': expected host:port",
            ":50052|invalid RPC worker ':50052': expected host:port",
            "host:|invalid RPC worker 'host:': expected host:port",
            "host:0|invalid RPC worker port 0 (1-65535)",
            "host:65536|invalid RPC worker port 65536 (1-65535)",
            "host:5x|invalid RPC worker port in 'host:5x'",
            "a b:1|invalid RPC worker host 'a b' (a DNS name or IPv4 address)",
            "[::1]:1|invalid RPC worker host '[::1]' (a DNS name or IPv4 address)",
            "-h:1|invalid RPC worker host '-h' (a DNS name or IPv4 address)"})
    void refusesWhatIsNotHostColonPort(String endpoint, String message) {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> RpcEndpoint.parse(endpoint));
        assertEquals("rpc_servers", e.parameter());
        assertEquals("rpc_servers: " + message, e.getMessage());
    }

    @Test
    void refusesDuplicatesAndBlankEntries() {
        assertEquals("rpc_servers: RPC worker h:1 is listed twice", assertThrows(InvalidParameterException.class,
                () -> RpcEndpoint.parseList("h:1,H:1")).getMessage());
        assertThrows(InvalidParameterException.class, () -> RpcEndpoint.parseList("h:1,,h:2"));
    }
}
