#include "sim/events.h"

const char *const event_names[EVENT_COUNT] = {"entry",
                                           "arrival",
                                           "boarding",
                                           "turned_back",
                                           "death",
                                           "injury",
                                           "boarding_failure",
                                           "settled",
                                           "returned_home",
                                           "shelter_admission",
                                           "hired",
                                           "wage_day",
                                           "season_home",
                                           "season_back"};

const char *const event_descriptions[EVENT_COUNT] = {
    "people entering Mexico at a border crossing",
    "people reaching a US-border city",
    "freight-train boardings",
    "people turned back from an edge that closed under them",
    "deaths",
    "injuries",
    "failed attempts to board a moving freight train",
    "people staying in Mexico for good",
    "people going home for good",
    "shelter admissions",
    "job contracts started",
    "days of paid work",
    "seasonal workers going home for the off-season",
    "seasonal workers coming back for the season",
};
