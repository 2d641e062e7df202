package dev.rofsguard.web;

import java.lang.reflect.Field;
import org.jboss.logging.Logger;

/**
 * Keeps Netty from instantiating Bouncy Castle's JCE provider in the server.
 *
 * <p>On its first TLS connection Netty asks whether the engine is Bouncy Castle's JSSE (and, reading a PEM key, whether
 * BC can read it). Finding bcprov on the class path (the CLI makes certificates with it), it instantiates BC's provider
 * to answer: ~740 classes and ~6 MB of metaspace and symbols in a server that serves with the JDK's engine and whose
 * key files Vert.x reads itself (measured 2026-12-05: 8,886 classes, metaspace 37.5 MB, against 9,770 and 42.4 MB).
 * Recording Netty's lookup as done, with BC unavailable, before the first TLS use skips it.
 *
 * <p>Best effort: should a Netty upgrade rename these fields, the server works as before, only larger, and says so.
 */
public final class NettyWithoutBouncyCastle {

    private static final Logger LOG = Logger.getLogger(NettyWithoutBouncyCastle.class);
    static final String UTIL = "io.netty.handler.ssl.util.BouncyCastleUtil";

    private NettyWithoutBouncyCastle() {
    }

    /** True when Netty now takes Bouncy Castle as absent; call before any TLS use. */
    public static boolean apply() {
        try {
            Class<?> util = Class.forName(UTIL, true, NettyWithoutBouncyCastle.class.getClassLoader());
            Throwable why = new UnsupportedOperationException("rofs-guard serves TLS with the JDK's provider; Bouncy Castle is for the CLI");
            why.setStackTrace(new StackTraceElement[0]);
            for (String cause : new String[] {"unavailabilityCauseBcProv", "unavailabilityCauseBcPkix", "unavailabilityCauseBcTls"}) {
                field(util, cause).set(null, why);
            }
            // Last: once set, Netty reads the causes above instead of loading.
            field(util, "attemptedLoading").setBoolean(null, true);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.infof("Netty may load Bouncy Castle's provider (~6 MB more memory): %s", e.toString());
            return false;
        }
    }

    static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
