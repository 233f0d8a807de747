# Flotilla server image: build the shaded jar, run it on a JRE.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
COPY migrations migrations
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /opt/flotilla
COPY --from=build /src/target/flotilla.jar flotilla.jar
ENV FLOTILLA_HOST=0.0.0.0
# A bounded heap (override with JAVA_OPTS); fewer malloc arenas keep the native footprint small.
ENV JAVA_OPTS="-Xmx192m -XX:+UseSerialGC -XX:MaxDirectMemorySize=256m -XX:+ExitOnOutOfMemoryError" MALLOC_ARENA_MAX=2
EXPOSE 2474
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/flotilla/flotilla.jar \"$@\"", "flotilla"]
