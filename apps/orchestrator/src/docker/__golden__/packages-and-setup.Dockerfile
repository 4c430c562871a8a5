FROM dais/debian:bookworm
RUN ["apt-get","update"]
RUN ["env","DEBIAN_FRONTEND=noninteractive","apt-get","install","-y","--no-install-recommends","curl","libpq-dev","nodejs=18.19.0+dfsg-6~deb12u2"]
RUN ["mkdir","-p","/opt/app"]
RUN ["sh","-c","echo ready > /opt/app/ready"]
LABEL "dais.site-id"="42" "dais.catalogue-image"="debian"
