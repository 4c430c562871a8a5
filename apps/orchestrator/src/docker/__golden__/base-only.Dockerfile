FROM dais/debian:bookworm
LABEL "dais.site-id"="42" "dais.catalogue-image"="debian"
