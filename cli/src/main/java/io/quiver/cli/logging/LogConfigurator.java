package io.quiver.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Quiver's logging set-up, in code rather than XML (parsing an XML configuration cost about a quarter of a
 * second of start-up): console lines {@code HH:mm:ss.SSS LEVEL [thread] Logger - message}, repeats limited
 * by {@link RepeatLimitFilter} (5 a minute), Netty at WARN, the root level from {@code -Dquiver.log.level}
 * (default INFO). Servers add a rolling file with {@link LogFiles}. Found by logback through
 * {@code META-INF/services}.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String CONSOLE_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        RepeatLimitFilter limit = new RepeatLimitFilter();
        limit.setBurst(5);
        limit.setWindowSeconds(60);
        limit.setContext(ctx);
        limit.start();
        ctx.addTurboFilter(limit);

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(CONSOLE_PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("CONSOLE");
        console.setEncoder(encoder);
        console.start();

        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("quiver.log.level", "INFO"), Level.INFO));
        root.addAppender(console);
        ctx.getLogger("io.netty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
