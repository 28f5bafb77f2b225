DROP TABLE vote_addresses;
