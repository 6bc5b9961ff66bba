#!/usr/bin/env bash
# Prints the java arguments that run the server fast: from the extracted jar (class-data sharing cannot map classes
# out of nested jars) with a CDS archive of the classes the server loads. The first run after a build records the
# archive when it exits (make stop, Ctrl-C); every later run maps it and starts in a fraction of the time.
#   usage: java $JAVA_OPTS $(scripts/prepare-app.sh target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar)
set -euo pipefail
jar=${1:?usage: prepare-app.sh JAR}
dir=${APP_DIR:-$(dirname "$jar")/app}
app=$dir/$(basename "$jar")
archive=$dir/app.jsa

if [[ ! -f $app || $jar -nt $app ]]; then
    rm -rf "$dir"
    java -Djarmode=tools -jar "$jar" extract --destination "$dir" >/dev/null 2>&1 \
        || { echo "-jar $jar"; exit 0; }
    touch "$app"
fi
if [[ -s $archive && $archive -nt $app ]]; then
    echo "-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off -jar $app"
else
    rm -f "$archive"
    echo "-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off -jar $app"
fi
