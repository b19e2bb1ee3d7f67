# shellcheck shell=bash disable=SC2034  # variables are for the scripts that source this
# Sourced by bench/run.sh and bench/ssh-run.sh: the JDK the project builds with (.mvn/select-jdk.sh), the benchmarks
# jar (built when missing or when REBUILD=1), and the JVM flags that JDK needs.
# shellcheck source=SCRIPTDIR/../.mvn/select-jdk.sh
. ./.mvn/select-jdk.sh || exit 1
java="$JAVA_HOME/bin/java"
feature=$MYCELIUM_JDK_VERSION
jar=bench/target/benchmarks.jar
if [[ ! -f $jar || ${REBUILD:-0} == 1 ]]; then
  echo "==> building $jar"
  # -am builds the agent and core from this work tree too; their tests are not run here.
  ./mvnw -q -B -pl bench -am package -DskipTests -Dspotless.check.skip=true
fi
jvm_flags=()
if ((MYCELIUM_JDK_MAJOR >= 23)); then
  # Pekko and Kryo use sun.misc.Unsafe; JMH's forks inherit these flags from this JVM.
  jvm_flags+=(--sun-misc-unsafe-memory-access=allow)
fi
