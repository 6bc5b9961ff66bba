package dev.amowebhook.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        WebhookWorkers workers = new WebhookWorkers(2, 3);
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
        assertThat(running.get()).as("two run, three wait").isEqualTo(2);

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
        WebhookWorkers workers = new WebhookWorkers(1, 0);

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
        WebhookWorkers workers = new WebhookWorkers(1, 0);
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
    void needsAWorker() {
        assertThatThrownBy(() -> new WebhookWorkers(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebhookWorkers(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void awaitAdmitted(WebhookWorkers workers, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (workers.admitted() < count) {
            assertThat(System.nanoTime()).as("%d calls admitted in time", count).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
