FROM dais/busybox:latest
RUN ["touch","/etc/dais-ready"]
LABEL "dais.site-id"="42" "dais.catalogue-image"="busybox"
