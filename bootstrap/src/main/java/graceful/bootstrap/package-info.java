/**
 * What the JVM loads from the root of graceful.jar, through the system class loader.
 *
 * <p>Rules: JDK types only, no dependencies, no logging framework, no work beyond opening the
 * isolated class loader and handing over. Anything here is visible to the application, so it
 * stays tiny; everything else lives under {@code inst/} in the jar, where only
 * {@link graceful.bootstrap.IsolatedClassLoader} can see it. So does the subpackage
 * {@code graceful.bootstrap.isolated}, which is compiled here for want of another place.
 */
package graceful.bootstrap;
