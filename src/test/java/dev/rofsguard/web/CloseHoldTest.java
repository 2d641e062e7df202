package dev.rofsguard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * While draining, a close of an HTTP/2 connection waits for the client to close or for the hold to pass, so that the
 * client's frames in flight are read rather than answered by a reset (see {@link Drain.CloseHold}).
 */
class CloseHoldTest {

    private final AtomicBoolean draining = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger activeStreams = new java.util.concurrent.atomic.AtomicInteger();

    private EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel(new Drain.CloseHold(draining::get, activeStreams::get, 1000, 10_000));
        channel.freezeTime();
        return channel;
    }

    /** Lets this much time pass in steps of 20 ms, running what falls due (a held close looks again every 20 ms). */
    private static void pass(EmbeddedChannel channel, long millis) {
        for (long passed = 0; passed < millis; passed += 20) {
            channel.advanceTimeBy(Math.min(20, millis - passed), TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
        }
    }

    /** The pipeline's close, as Vert.x issues it (EmbeddedChannel.close() would cancel the scheduled release). */
    private static ChannelFuture close(EmbeddedChannel channel) {
        return channel.pipeline().close();
    }

    @Test
    void notDrainingClosesAtOnce() {
        EmbeddedChannel channel = channel();
        ChannelFuture closed = close(channel);
        assertThat(closed.isSuccess()).isTrue();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void drainingHoldsTheCloseUntilTheHoldHasPassed() {
        draining.set(true);
        EmbeddedChannel channel = channel();
        ChannelFuture closed = close(channel);
        assertThat(channel.isOpen()).as("held").isTrue();
        assertThat(closed.isDone()).isFalse();
        channel.writeInbound("frames the client sent before it read the GOAWAY");
        assertThat((String) channel.readInbound()).as("still read meanwhile").startsWith("frames");
        pass(channel, 990);
        assertThat(channel.isOpen()).isTrue();
        pass(channel, 20);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closed.isSuccess()).isTrue();
    }

    @Test
    void theClientClosingFirstEndsTheHold() {
        draining.set(true);
        EmbeddedChannel channel = channel();
        ChannelFuture closed = close(channel);
        channel.pipeline().fireChannelInactive(); // the client's FIN, as the transport reports it
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(closed.isSuccess()).isTrue();
    }

    @Test
    void aSecondCloseEndsWithTheHeldOne() {
        // The codec closes once per graceful close it is asked for; Quarkus' shutdown filter and Drain each ask.
        draining.set(true);
        EmbeddedChannel channel = channel();
        ChannelFuture first = close(channel);
        ChannelFuture second = close(channel);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("still held").isTrue();
        assertThat(second.isDone()).isFalse();
        pass(channel, 1010);
        assertThat(channel.isOpen()).isFalse();
        assertThat(first.isSuccess()).isTrue();
        assertThat(second.isSuccess()).isTrue();
    }

    @Test
    void aStreamStillActiveKeepsTheCloseHeldUntilItEnds() {
        // Quarkus' shutdown filter closes a connection after its first answer in the delay, other streams still running.
        draining.set(true);
        activeStreams.set(1);
        EmbeddedChannel channel = channel();
        ChannelFuture closed = close(channel);
        pass(channel, 3000); // a slow review's answer
        assertThat(channel.isOpen()).as("the GOAWAY interval is over, the stream is not").isTrue();
        activeStreams.set(0);
        pass(channel, 20);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closed.isSuccess()).isTrue();
    }

    @Test
    void aStreamThatNeverEndsIsCutAtTheShutdownTimeout() {
        draining.set(true);
        activeStreams.set(1);
        EmbeddedChannel channel = channel();
        close(channel);
        pass(channel, 9900);
        assertThat(channel.isOpen()).as("9.9 s").isTrue();
        pass(channel, 200);
        assertThat(channel.isOpen()).as("past the shutdown timeout of 10 s").isFalse();
    }
}
