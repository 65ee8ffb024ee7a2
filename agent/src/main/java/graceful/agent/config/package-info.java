/**
 * Settings, read from the agent arguments, system properties and the environment, in that order
 * of precedence. A malformed value never stops the app: it costs one line naming the setting,
 * the value and the accepted form, and the default applies.
 */
package graceful.agent.config;
