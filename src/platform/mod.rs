//! DIGIT core services, in process: master data, access, users, id generation, localization,
//! location, files, short links. Platform code uses neither `business` nor `municipal`.

pub mod access;
pub mod encryption;
pub mod filestore;
pub mod idgen;
pub mod localization;
pub mod location;
pub mod mdms;
pub mod notification;
pub mod seed;
pub mod shortener;
pub mod user;
pub mod userevent;
