//! `callctl mirai-v2 campaign ...` and `mirai-v2 dnc ...`.

use calls_facade::PhoneNumber;
use calls_facade::mirai::MiraiV2Client;
use calls_facade::mirai::v2::{
    Campaign, CampaignChange, CampaignId, CreateCampaign, DncAdded, DncRemoved, ListCampaigns,
    ListContacts, ListDnc, LocalDate, NewContact, Slot,
};

use crate::cli::{CampaignCommand, DncCommand, Output};
use crate::exit::Exit;
use crate::single::{print, print_stream, read_lines, to_json};

fn campaign_id(raw: &str) -> Result<CampaignId, Exit> {
    CampaignId::new(raw).map_err(|error| Exit::usage(error.to_string()))
}

fn usage<T>(result: calls_facade::Result<T>) -> Result<T, Exit> {
    result.map_err(|error| Exit::usage(error.to_string()))
}

async fn contacts(path: &std::path::Path) -> Result<Vec<NewContact>, Exit> {
    read_lines(path)
        .await?
        .into_iter()
        .map(|line| usage(PhoneNumber::new(line)).map(NewContact::new))
        .collect()
}

fn text(campaign: &Campaign) -> String {
    format!(
        "campaign {} ({}){}",
        campaign.id,
        campaign.status,
        campaign
            .name
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default()
    )
}

fn change_json(change: &CampaignChange) -> serde_json::Value {
    serde_json::json!({
        "campaign_id": change.campaign_id.as_str(),
        "status": change.status.as_str(),
        "outcome": format!("{:?}", change.outcome).to_lowercase(),
        "attempts": change.attempts,
    })
}

fn change_text(change: &CampaignChange) -> String {
    format!(
        "campaign {} is {} ({:?})",
        change.campaign_id, change.status, change.outcome
    )
}

pub(crate) async fn campaign(
    client: MiraiV2Client,
    command: CampaignCommand,
    output: Output,
) -> Exit {
    match command {
        CampaignCommand::Create {
            name,
            agent_id,
            start_date,
            end_date,
            slots,
            timezone,
            contacts_from,
        } => {
            let build = async {
                let start = usage(LocalDate::parse(&start_date))?;
                let end = usage(LocalDate::parse(&end_date))?;
                let mut request = CreateCampaign::new(name, agent_id).dates(start, end);
                for slot in slots {
                    let (from, to) = slot.split_once('-').ok_or_else(|| {
                        Exit::usage(format!("slot `{slot}`: expected HH:MM-HH:MM"))
                    })?;
                    request = request.slot(usage(Slot::parse(from, to))?);
                }
                if let Some(timezone) = timezone {
                    request = request.timezone(timezone);
                }
                if let Some(path) = contacts_from {
                    request = request.contacts(contacts(&path).await?);
                }
                Ok::<_, Exit>(request)
            };
            match build.await {
                Ok(request) => print(
                    client.create_campaign(&request).await,
                    output,
                    |created| {
                        serde_json::json!({
                            "campaign": to_json(&created.campaign),
                            "contacts": to_json(&created.contacts),
                        })
                    },
                    |created| {
                        format!(
                            "{} with {} contacts accepted",
                            text(&created.campaign),
                            created.contacts.accepted
                        )
                    },
                ),
                Err(exit) => exit,
            }
        }
        CampaignCommand::AddContacts { id, contacts_from } => {
            let id = match campaign_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            let contacts = match contacts(&contacts_from).await {
                Ok(contacts) => contacts,
                Err(exit) => return exit,
            };
            print(
                client.add_contacts(&id, &contacts).await,
                output,
                |added| serde_json::json!({"campaign_id": added.campaign_id.as_str(), "contacts": to_json(&added.contacts)}),
                |added| {
                    format!(
                        "{} contacts accepted, {} duplicates",
                        added.contacts.accepted, added.contacts.duplicate
                    )
                },
            )
        }
        CampaignCommand::Start { id } => match campaign_id(&id) {
            Ok(id) => print(
                client.start_campaign(&id).await,
                output,
                change_json,
                change_text,
            ),
            Err(exit) => exit,
        },
        CampaignCommand::Pause { id } => match campaign_id(&id) {
            Ok(id) => print(
                client.pause_campaign(&id).await,
                output,
                change_json,
                change_text,
            ),
            Err(exit) => exit,
        },
        CampaignCommand::Resume { id } => match campaign_id(&id) {
            Ok(id) => print(
                client.resume_campaign(&id).await,
                output,
                change_json,
                change_text,
            ),
            Err(exit) => exit,
        },
        CampaignCommand::Stop { id } => match campaign_id(&id) {
            Ok(id) => print(
                client.stop_campaign(&id).await,
                output,
                change_json,
                change_text,
            ),
            Err(exit) => exit,
        },
        CampaignCommand::Get { id } => match campaign_id(&id) {
            Ok(id) => print(client.get_campaign(&id).await, output, to_json, text),
            Err(exit) => exit,
        },
        CampaignCommand::List { max } => {
            print_stream(
                client.list_campaigns(ListCampaigns::new()),
                max,
                output,
                to_json,
                text,
            )
            .await
        }
        CampaignCommand::Contacts { id, max } => match campaign_id(&id) {
            Ok(id) => {
                print_stream(
                    client.list_contacts(&id, ListContacts::new()),
                    max,
                    output,
                    to_json,
                    |contact| format!("{contact:?}"),
                )
                .await
            }
            Err(exit) => exit,
        },
        CampaignCommand::Report { id, csv } => {
            let id = match campaign_id(&id) {
                Ok(id) => id,
                Err(exit) => return exit,
            };
            match csv {
                Some(path) => {
                    let mut file = match tokio::fs::File::create(&path).await {
                        Ok(file) => file,
                        Err(error) => {
                            return Exit::usage(format!(
                                "cannot create {}: {error}",
                                path.display()
                            ));
                        }
                    };
                    print(
                        client.campaign_report_csv(&id, &mut file).await,
                        output,
                        |bytes| serde_json::json!({"campaign_id": id.as_str(), "file": path.display().to_string(), "bytes": bytes}),
                        |bytes| format!("wrote {bytes} bytes to {}", path.display()),
                    )
                }
                None => print(
                    client.campaign_report(&id).await,
                    output,
                    to_json,
                    |report| format!("{report:?}"),
                ),
            }
        }
    }
}

pub(crate) async fn dnc(client: MiraiV2Client, command: DncCommand, output: Output) -> Exit {
    match command {
        DncCommand::Add { number } => {
            let number = match usage(PhoneNumber::new(number)) {
                Ok(number) => number,
                Err(exit) => return exit,
            };
            print(
                client.add_to_dnc(&number).await,
                output,
                |added| serde_json::json!({"number": number.as_str(), "added": *added == DncAdded::Added}),
                |added| match added {
                    DncAdded::Added => format!("{number} added to the do-not-call list"),
                    _ => format!("{number} was already on the do-not-call list"),
                },
            )
        }
        DncCommand::Remove { number } => {
            let number = match usage(PhoneNumber::new(number)) {
                Ok(number) => number,
                Err(exit) => return exit,
            };
            print(
                client.remove_from_dnc(&number).await,
                output,
                |removed| serde_json::json!({"number": number.as_str(), "removed": *removed == DncRemoved::Removed}),
                |removed| match removed {
                    DncRemoved::Removed => format!("{number} removed from the do-not-call list"),
                    _ => format!("{number} was not on the do-not-call list"),
                },
            )
        }
        DncCommand::List { max } => {
            print_stream(
                client.list_dnc(ListDnc::new()),
                max,
                output,
                to_json,
                |entry| entry.phone.clone(),
            )
            .await
        }
    }
}
