DROP TABLE shortener_link;
