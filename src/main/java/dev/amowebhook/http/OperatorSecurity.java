package dev.amowebhook.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.csrf.CsrfTokenRequestHandler;
import org.springframework.security.web.csrf.XorCsrfTokenRequestAttributeHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.function.Supplier;

/**
 * Two doors. The webhook endpoints authenticate each request themselves (signature or URL token) and never look
 * at operator credentials. Everything else an operator uses (actuator but health, Hawtio, the admin API) needs
 * {@code ADMIN_USER}/{@code ADMIN_PASSWORD}, by HTTP Basic (scripts, Prometheus) or the login page (Hawtio at
 * {@code /actuator/hawtio}); with no password configured it is closed to all.
 */
@Configuration(proxyBeanMethods = false)
class OperatorSecurity {

    static final String ROLE = "OPERATOR";
    private static final Logger log = LoggerFactory.getLogger(OperatorSecurity.class);

    @Bean
    @Order(1)
    SecurityFilterChain webhookEndpoints(HttpSecurity http) throws Exception {
        // no authorization rules (everyone may post; the routes verify), no login machinery: only the firewall
        // and the security headers run on this chain
        return http.securityMatcher("/api/webhooks/amo", "/api/webhooks/amo/**")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .anonymous(anonymous -> anonymous.disable())
                .logout(logout -> logout.disable())
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain operatorEndpoints(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(requests -> requests
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info", "/error")
                        .permitAll()
                        .anyRequest().hasRole(ROLE))
                .formLogin(Customizer.withDefaults())
                .httpBasic(Customizer.withDefaults())
                // Hawtio's pages read the token from the XSRF-TOKEN cookie; scripts and Jolokia use Basic auth
                .csrf(csrf -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new SinglePageAppCsrf())
                        .ignoringRequestMatchers("/api/admin/**", "/actuator/jolokia/**", "/actuator/prometheus"))
                .build();
    }

    /**
     * Hawtio is a single-page app: it sends the raw XSRF-TOKEN cookie value back in a header, while Spring's default
     * expects the masked form of server-rendered pages (the login form). Accept both; the cookie is set on every
     * page so Hawtio has it before its first Jolokia call.
     */
    static final class SinglePageAppCsrf implements CsrfTokenRequestHandler {

        private final CsrfTokenRequestHandler plain = new CsrfTokenRequestAttributeHandler();
        private final CsrfTokenRequestHandler masked = new XorCsrfTokenRequestAttributeHandler();

        @Override
        public void handle(HttpServletRequest request, HttpServletResponse response, Supplier<CsrfToken> token) {
            masked.handle(request, response, token);
            token.get();
        }

        @Override
        public String resolveCsrfTokenValue(HttpServletRequest request, CsrfToken token) {
            String header = request.getHeader(token.getHeaderName());
            return (header != null && !header.isBlank() ? plain : masked).resolveCsrfTokenValue(request, token);
        }
    }

    @Bean
    UserDetailsService operators(@Value("${amocrm.admin.user:admin}") String user,
                                 @Value("${amocrm.admin.password:}") String password, PasswordEncoder encoder) {
        if (password.isBlank()) {
            log.warn("ADMIN_PASSWORD is not set: the admin API, Hawtio and the actuator endpoints other than health "
                    + "refuse everyone");
            return new InMemoryUserDetailsManager();
        }
        return new InMemoryUserDetailsManager(User.withUsername(user).password(encoder.encode(password))
                .roles(ROLE).build());
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }
}
