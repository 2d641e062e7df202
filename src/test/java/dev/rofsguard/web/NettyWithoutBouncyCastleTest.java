package dev.rofsguard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.util.BouncyCastleUtil;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyWithoutBouncyCastleTest {

    private static final String[] FIELDS = {"unavailabilityCauseBcProv", "unavailabilityCauseBcPkix", "unavailabilityCauseBcTls", "attemptedLoading"};
    private final Map<String, Object> saved = new LinkedHashMap<>();

    @BeforeEach
    void save() throws Exception {
        for (String name : FIELDS) {
            saved.put(name, NettyWithoutBouncyCastle.field(BouncyCastleUtil.class, name).get(null));
        }
    }

    @AfterEach
    void restore() throws Exception {
        // Other tests in this JVM see Netty as they found it.
        for (Map.Entry<String, Object> e : saved.entrySet()) {
            NettyWithoutBouncyCastle.field(BouncyCastleUtil.class, e.getKey()).set(null, e.getValue());
        }
    }

    @Test
    void nettyTakesBouncyCastleAsAbsent() throws Exception {
        // Fails on a Netty upgrade that renames the fields: then the server would load BC's provider again.
        assertThat(NettyWithoutBouncyCastle.apply()).isTrue();
        assertThat(BouncyCastleUtil.isBcProvAvailable()).isFalse();
        assertThat(BouncyCastleUtil.isBcPkixAvailable()).isFalse();
        assertThat(BouncyCastleUtil.isBcTlsAvailable()).isFalse();
        assertThat(BouncyCastleUtil.unavailabilityCauseBcProv()).hasMessageContaining("JDK's provider");
    }
}
