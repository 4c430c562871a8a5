FROM dais/debian:bookworm
RUN ["env","DEBIAN_FRONTEND=noninteractive","apt-get","install","-y","--no-install-recommends","curl"]
LABEL "dais.site-id"="42" "dais.catalogue-image"="debian"
