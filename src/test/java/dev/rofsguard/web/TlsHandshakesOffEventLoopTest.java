package dev.rofsguard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.Test;

class TlsHandshakesOffEventLoopTest {

    @Test
    void handshakesGoToTheWorkerPoolUnlessTurnedOff() {
        TlsHandshakesOffEventLoop on = new TlsHandshakesOffEventLoop();
        on.enabled = true;
        HttpServerOptions options = new HttpServerOptions().setSsl(true);
        on.customizeHttpsServer(options);
        assertThat(options.getJdkSslEngineOptions().getUseWorkerThread()).isTrue();

        TlsHandshakesOffEventLoop off = new TlsHandshakesOffEventLoop();
        HttpServerOptions untouched = new HttpServerOptions().setSsl(true);
        off.customizeHttpsServer(untouched);
        assertThat(untouched.getSslEngineOptions() == null || !untouched.getSslEngineOptions().getUseWorkerThread()).isTrue();
    }
}
