/**
 * Classes compiled with the bootstrap but loaded by graceful's isolated loader: graceful.jar holds
 * them under {@code inst/}, not at its root, so the app never sees them. JDK types only.
 */
package graceful.bootstrap.isolated;
