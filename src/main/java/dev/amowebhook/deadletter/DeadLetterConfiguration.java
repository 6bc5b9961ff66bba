package dev.amowebhook.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amowebhook.event.ExtensionPoints;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.ProducerTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
@EnableScheduling
class DeadLetterConfiguration {

    @Bean
    DeadLetterStore deadLetterStore(NamedParameterJdbcTemplate jdbc) {
        return new DeadLetterStore(jdbc);
    }

    @Bean
    DeadLetterReplayer deadLetterReplayer(DeadLetterStore store, PlatformTransactionManager transactions,
                                          ProducerTemplate producer, ObjectMapper mapper, MeterRegistry meters,
                                          ExtensionPoints extensions) {
        return new DeadLetterReplayer(store, new TransactionTemplate(transactions), producer, mapper, meters,
                extensions);
    }

    @Bean
    DeadLetterOperations deadLetterOperations(DeadLetterStore store, DeadLetterReplayer replayer) {
        return new DeadLetterOperations(store, replayer);
    }

    @Bean
    DeadLetterMetrics deadLetterMetrics(DeadLetterStore store, MeterRegistry registry) {
        return new DeadLetterMetrics(store, registry);
    }
}
