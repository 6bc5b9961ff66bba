package dev.amowebhook.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.TaskRejectedException;

class WebhookWorkersTest {

    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    @Test
    void atMostTheWorkersRunTheQueueWaitsAndOneMoreIsRefusedAtOnce() throws Exception {
        WebhookWorkers workers = new WebhookWorkers(2, 3, Duration.ofSeconds(30));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(callers.submit(() -> {
                workers.run(() -> {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    release.await();
                    running.decrementAndGet();
                    done.incrementAndGet();
                });
                return null;
            }));
        }
        awaitAdmitted(workers, 5);
        await(() -> running.get() == 2, "two running");
        assertThat(workers.busy()).isEqualTo(2);
        assertThat(workers.waiting()).as("three wait").isEqualTo(3);

        long start = System.nanoTime();
        assertThatThrownBy(() -> workers.run(() -> done.incrementAndGet()))
                .isInstanceOf(TaskRejectedException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("refused without waiting")
                .isLessThan(500);

        release.countDown();
        for (Future<?> call : calls) {
            call.get(10, TimeUnit.SECONDS);
        }
        assertThat(done.get()).as("every admitted call ran, the refused one did not").isEqualTo(5);
        assertThat(mostAtOnce.get()).isEqualTo(2);
        assertThat(workers.admitted()).isZero();
        workers.run(done::incrementAndGet);
        assertThat(done.get()).as("room again once the others are done").isEqualTo(6);
    }

    @Test
    void workThatFailsGivesItsSlotBack() throws Exception {
        WebhookWorkers workers = new WebhookWorkers(1, 0, Duration.ofSeconds(30));

        assertThatThrownBy(() -> workers.run(() -> {
            throw new IllegalStateException("broken");
        })).isInstanceOf(IllegalStateException.class).hasMessage("broken");

        assertThat(workers.admitted()).isZero();
        AtomicInteger ran = new AtomicInteger();
        workers.run(ran::incrementAndGet);
        assertThat(ran.get()).isEqualTo(1);
    }

    @Test
    void aRefusedCallDoesNotTakeASlot() throws Exception {
        WebhookWorkers workers = new WebhookWorkers(1, 0, Duration.ofSeconds(30));
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = callers.submit(() -> {
            workers.run(release::await);
            return null;
        });
        awaitAdmitted(workers, 1);

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> workers.run(() -> { })).isInstanceOf(TaskRejectedException.class);
        }
        assertThat(workers.admitted()).isEqualTo(1);

        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertThat(workers.admitted()).isZero();
    }

    @Test
    void aWebhookThatWaitsLongerThanTheQueueWaitIsRefused() throws Exception {
        WebhookWorkers workers = new WebhookWorkers(1, 5, Duration.ofMillis(300));
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = callers.submit(() -> {
            workers.run(release::await);
            return null;
        });
        awaitAdmitted(workers, 1);
        AtomicInteger ran = new AtomicInteger();

        long start = System.nanoTime();
        assertThatThrownBy(() -> workers.run(ran::incrementAndGet)).isInstanceOf(TaskRejectedException.class)
                .hasMessageContaining("in time");
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(waited).as("waited its turn, then gave up").isBetween(250L, 5000L);
        assertThat(ran.get()).isZero();
        assertThat(workers.admitted()).as("only the holder").isEqualTo(1);
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertThat(workers.admitted()).isZero();
    }

    @Test
    void theBoundsAreChecked() {
        assertThatThrownBy(() -> new WebhookWorkers(0, 10, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WEBHOOK_WORKERS");
        assertThatThrownBy(() -> new WebhookWorkers(WebhookWorkers.MAX_WORKERS + 1, 10, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WEBHOOK_WORKERS");
        assertThatThrownBy(() -> new WebhookWorkers(1, -1, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WEBHOOK_QUEUE");
        assertThatThrownBy(() -> new WebhookWorkers(1, WebhookWorkers.MAX_QUEUE + 1, Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WEBHOOK_QUEUE");
        assertThatThrownBy(() -> new WebhookWorkers(1, 1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WEBHOOK_QUEUE_WAIT");
    }

    private static void awaitAdmitted(WebhookWorkers workers, int count) throws InterruptedException {
        await(() -> workers.admitted() >= count, count + " calls admitted");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s in time", what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
