package dev.rofsguard.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpolationTest {

    private final Interpolation vars = new Interpolation(Map.of("TAG", "17", "EMPTY", "", "DIR", "/srv/data"));

    @Test
    void readsAsDockerComposeDoes() {
        assertThat(vars.apply("postgres:${TAG}")).isEqualTo("postgres:17");
        assertThat(vars.apply("postgres:$TAG-bookworm")).isEqualTo("postgres:17-bookworm");
        assertThat(vars.apply("postgres:${PG_VERSION:-16}-bookworm")).isEqualTo("postgres:16-bookworm");
        assertThat(vars.apply("x:${EMPTY:-set-if-empty}")).isEqualTo("x:set-if-empty");
        assertThat(vars.apply("x:${EMPTY-only-if-unset}")).isEqualTo("x:");
        assertThat(vars.apply("${UPLOAD:-./library}:/data")).isEqualTo("./library:/data");
        assertThat(vars.apply("${A:-${DIR}}/x")).isEqualTo("/srv/data/x");
        assertThat(vars.apply("echo $$HOME")).isEqualTo("echo $HOME");
    }

    @Test
    void whatHasNoValueStaysAsWritten() {
        assertThat(vars.apply("img:${UNSET}")).isEqualTo("img:${UNSET}");
        assertThat(vars.apply("img:${UNSET:?set it}")).isEqualTo("img:${UNSET:?set it}");
        assertThat(vars.apply("img:$UNSET")).isEqualTo("img:$UNSET");
        assertThat(vars.apply("img:${TAG:?set it}")).isEqualTo("img:17");
        assertThat(vars.apply("broken ${TAG")).isEqualTo("broken ${TAG");
        assertThat(vars.apply("cost $5")).isEqualTo("cost $5");
    }
}
